package dev.meshboot.io;

import java.util.regex.Pattern;

/** IP literal and host name checks that never touch DNS. */
public final class Addresses {

  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]{1,4}");

  private Addresses() {}

  public static boolean isIpv4(String text) {
    return IPV4.matcher(text).matches();
  }

  /**
   * An IPv6 literal without brackets (RFC 4291 text forms, with an optional embedded IPv4 tail);
   * parsed here rather than by {@code InetAddress}, whose initialization costs start-up time.
   */
  public static boolean isIpv6(String text) {
    if (text.length() < 2 || !IPV6_CHARS.matcher(text).matches()) {
      return false;
    }
    String body = text;
    int ipv4Groups = 0;
    if (text.indexOf('.') >= 0) {
      int lastColon = text.lastIndexOf(':');
      if (lastColon < 0 || !isIpv4(text.substring(lastColon + 1))) {
        return false;
      }
      ipv4Groups = 2;
      body = text.substring(0, lastColon + 1);
      body = body.endsWith("::") ? body : body.substring(0, body.length() - 1);
    }
    int doubleColon = body.indexOf("::");
    if (doubleColon < 0) {
      return groups(body) + ipv4Groups == 8;
    }
    if (body.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    int head = groups(body.substring(0, doubleColon));
    int tail = groups(body.substring(doubleColon + 2));
    return head >= 0 && tail >= 0 && head + tail + ipv4Groups <= 7;
  }

  /** The number of colon-separated hex groups, 0 for empty text, -1 when one is malformed. */
  private static int groups(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    String[] parts = text.split(":", -1);
    for (String part : parts) {
      if (!HEX.matcher(part).matches()) {
        return -1;
      }
    }
    return parts.length;
  }

  /**
   * The host to connect to for a server bound to {@code bindAddress}, as written in a URI: an
   * any-address becomes loopback, IPv6 gets brackets.
   */
  public static String uriHostFor(String bindAddress) {
    return switch (bindAddress) {
      case "0.0.0.0" -> "127.0.0.1";
      case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
      default -> bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
    };
  }

  /**
   * The 16 bytes of an IPv6 address in RFC 5952's canonical text, as Go's {@code net.IP} prints it
   * (and AWS's agent wrote node metadata): lower-case hex without leading zeros, the first longest
   * run of two or more zero groups as {@code ::}. ({@code Inet6Address} prints every group.)
   */
  public static String ipv6Text(byte[] address) {
    if (address.length != 16) {
      throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int runStart = -1;
    int runLength = 0;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > runLength) {
        runStart = i;
        runLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (runLength < 2) {
      runStart = -1;
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == runStart) {
        text.append("::");
        i += runLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  public static boolean isIpLiteral(String text) {
    return isIpv4(text) || isIpv6(text);
  }

  /** A DNS name: labels of letters, digits and dashes. */
  public static boolean isHostname(String text) {
    return text.length() <= 253
        && text.matches(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
  }
}
