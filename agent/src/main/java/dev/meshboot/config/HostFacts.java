package dev.meshboot.config;

import java.util.List;

/**
 * Facts about the machine that go into node metadata, gathered by the platform package.
 *
 * @param interfaces network interfaces with their addresses, in CIDR notation
 * @param systemPlatform the processor architecture ({@code uname -p})
 * @param kernelVersion the kernel release ({@code uname -r})
 * @param caBundle the system's CA bundle, which verifies TLS management endpoints
 */
public record HostFacts(
    List<NetworkInterface> interfaces,
    String systemPlatform,
    String kernelVersion,
    java.nio.file.Path caBundle) {

  /** One interface and its IPv4 and IPv6 CIDRs. */
  public record NetworkInterface(String name, List<String> ipv4, List<String> ipv6) {}
}
