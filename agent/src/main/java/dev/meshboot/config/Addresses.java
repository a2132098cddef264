package dev.meshboot.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literal checks that never touch DNS. */
public final class Addresses {

  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private Addresses() {}

  public static boolean isIpv4(String text) {
    return IPV4.matcher(text).matches();
  }

  /** An IPv6 literal without brackets; only literals reach {@link InetAddress}, so no lookup. */
  public static boolean isIpv6(String text) {
    if (!text.contains(":") || !IPV6_CHARS.matcher(text).matches()) {
      return false;
    }
    try {
      return InetAddress.getByName(text) instanceof java.net.Inet6Address;
    } catch (UnknownHostException e) {
      return false;
    }
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
