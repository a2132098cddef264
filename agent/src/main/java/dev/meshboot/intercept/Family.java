package dev.meshboot.intercept;

/** An address family and the iptables tools for it. */
public enum Family {
  IPV4("iptables"),
  IPV6("ip6tables");

  private final String tool;

  Family(String tool) {
    this.tool = tool;
  }

  /** {@code iptables-save} or {@code ip6tables-save}. */
  public String save() {
    return tool + "-save";
  }

  /** {@code iptables-restore} or {@code ip6tables-restore}. */
  public String restore() {
    return tool + "-restore";
  }

  /** Whether {@code block} (an address or CIDR block) belongs to this family. */
  boolean holds(String block) {
    return (this == IPV6) == block.contains(":");
  }
}
