package dev.meshboot.config;

import dev.meshboot.io.Addresses;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A management server address: {@code host:port} or a unix socket. */
public sealed interface Endpoint {

  /** A TCP endpoint; {@code host} is a DNS name or an IP literal without brackets. */
  record Tcp(String host, int port) implements Endpoint {
    /** Whether the host is one of AWS's App Mesh domains. */
    public boolean isAws() {
      String lower = host.toLowerCase(Locale.ROOT);
      return lower.endsWith(".amazonaws.com")
          || lower.endsWith(".amazonaws.com.cn")
          || lower.endsWith(".api.aws")
          || lower.endsWith(".api.amazonwebservices.com.cn");
    }

    /** Whether the host is an IP address rather than a name to resolve. */
    public boolean isIpLiteral() {
      return Addresses.isIpLiteral(host);
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** A unix socket, written {@code unix:///path}. */
  record Unix(Path path) implements Endpoint {
    @Override
    public String toString() {
      return "unix://" + path;
    }
  }

  /** Parses {@code host:port}, {@code [v6]:port} or {@code unix:///absolute/path}. */
  static Endpoint parse(Setting setting) {
    String value = setting.value().trim();
    String expected = "host:port or unix:///absolute/path";
    if (value.startsWith("unix://")) {
      String path = value.substring("unix://".length());
      if (!path.startsWith("/") || path.length() < 2) {
        throw ConfigException.invalid(setting, expected);
      }
      int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > ConfigReader.MAX_SOCKET_PATH) {
        throw ConfigException.invalid(
            setting,
            "a unix socket path of at most "
                + ConfigReader.MAX_SOCKET_PATH
                + " bytes (it has "
                + bytes
                + ")");
      }
      return new Unix(Path.of(path));
    }
    Matcher hostPort = HOST_PORT.matcher(value);
    if (!hostPort.matches()) {
      throw ConfigException.invalid(setting, expected);
    }
    String host = hostPort.group(1) != null ? hostPort.group(1) : hostPort.group(2);
    int port = Integer.parseInt(hostPort.group(3));
    if (port < 1 || port > 65535 || (hostPort.group(1) != null && !Addresses.isIpLiteral(host))) {
      throw ConfigException.invalid(setting, expected);
    }
    return new Tcp(host, port);
  }

  Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+)):(\\d{1,5})");
}
