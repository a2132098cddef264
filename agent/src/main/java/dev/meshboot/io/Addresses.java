package dev.meshboot.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** IP literal and host name checks that never touch DNS. */
public final class Addresses {

  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]{1,4}");
  private static final int[] NONE = new int[0];

  private Addresses() {}

  public static boolean isIpv4(String text) {
    return IPV4.matcher(text).matches();
  }

  /**
   * An IPv6 literal without brackets (RFC 4291 text forms, with an optional embedded IPv4 tail);
   * parsed here rather than by {@code InetAddress}, whose initialization costs start-up time.
   */
  public static boolean isIpv6(String text) {
    return ipv6Groups(text).length == 8;
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

  /** An IP literal of the loopback range: 127.0.0.0/8, ::1, or ::ffff: and 127.0.0.0/8. */
  public static boolean isLoopback(String literal) {
    if (isIpv4(literal)) {
      return literal.startsWith("127.");
    }
    int[] groups = ipv6Groups(literal);
    return groups.length == 8
        && zeroBefore(groups, 5)
        && ((groups[5] == 0 && groups[6] == 0 && groups[7] == 1)
            || (groups[5] == 0xffff && groups[6] >> 8 == 127));
  }

  /** The any-address: 0.0.0.0, or :: (or ::ffff:0.0.0.0) in any of its spellings. */
  public static boolean isAny(String literal) {
    if (isIpv4(literal)) {
      return literal.equals("0.0.0.0");
    }
    int[] groups = ipv6Groups(literal);
    return groups.length == 8
        && zeroBefore(groups, 5)
        && (groups[5] == 0 || groups[5] == 0xffff)
        && groups[6] == 0
        && groups[7] == 0;
  }

  /** Whether two IP literals name the same address (IPv6 in any spelling); false for others. */
  public static boolean sameAddress(String one, String other) {
    if (isIpv4(one) || isIpv4(other)) {
      return one.equals(other);
    }
    int[] groups = ipv6Groups(one);
    return groups.length == 8 && Arrays.equals(groups, ipv6Groups(other));
  }

  private static boolean zeroBefore(int[] groups, int end) {
    return Arrays.stream(groups, 0, end).allMatch(group -> group == 0);
  }

  /** The eight 16-bit groups of an IPv6 literal; empty when it is not one. */
  private static int[] ipv6Groups(String text) {
    if (text.length() < 2 || !IPV6_CHARS.matcher(text).matches()) {
      return NONE;
    }
    String body = text;
    List<Integer> ipv4 = new ArrayList<>();
    if (text.indexOf('.') >= 0) {
      int lastColon = text.lastIndexOf(':');
      if (lastColon < 0 || !isIpv4(text.substring(lastColon + 1))) {
        return NONE;
      }
      String[] octets = text.substring(lastColon + 1).split("\\.", -1);
      ipv4.add(Integer.parseInt(octets[0]) << 8 | Integer.parseInt(octets[1]));
      ipv4.add(Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]));
      body = text.substring(0, lastColon + 1);
      body = body.endsWith("::") ? body : body.substring(0, body.length() - 1);
    }
    int doubleColon = body.indexOf("::");
    if (doubleColon >= 0 && body.indexOf("::", doubleColon + 1) >= 0) {
      return NONE;
    }
    List<Integer> head = hexGroups(doubleColon < 0 ? body : body.substring(0, doubleColon));
    List<Integer> tail =
        doubleColon < 0 ? new ArrayList<>() : hexGroups(body.substring(doubleColon + 2));
    if (head == null || tail == null) {
      return NONE;
    }
    tail.addAll(ipv4);
    int count = head.size() + tail.size();
    if (doubleColon < 0 ? count != 8 : count > 7) {
      return NONE;
    }
    int[] groups = new int[8];
    for (int i = 0; i < head.size(); i++) {
      groups[i] = head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      groups[8 - tail.size() + i] = tail.get(i);
    }
    return groups;
  }

  /** The colon-separated hex groups of {@code text} (none for empty text); null if one is bad. */
  private static @Nullable List<Integer> hexGroups(String text) {
    List<Integer> groups = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String part : text.split(":", -1)) {
        if (!HEX.matcher(part).matches()) {
          return null;
        }
        groups.add(Integer.parseInt(part, 16));
      }
    }
    return groups;
  }

  /** A DNS name: labels of letters, digits and dashes. */
  public static boolean isHostname(String text) {
    return text.length() <= 253
        && text.matches(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
  }
}
