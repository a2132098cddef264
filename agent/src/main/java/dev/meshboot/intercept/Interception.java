package dev.meshboot.intercept;

import dev.meshboot.config.InterceptConfig;
import dev.meshboot.envoy.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies, removes and reports App Mesh's traffic interception in the current network namespace:
 * reads the {@code nat} table with {@code iptables-save}, works out the change with {@link Rules}
 * and applies it in one {@code iptables-restore --noflush} transaction per address family, so a
 * failure leaves the table as it was and other rules are never flushed.
 */
public final class Interception {

  /** CAP_NET_ADMIN's bit in {@code CapEff} (linux/capability.h). */
  private static final long CAP_NET_ADMIN = 1L << 12;

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final ProcessRunner processes;
  private final Path procStatus;

  /**
   * @param processes runs the iptables tools
   * @param procStatus this process's {@code /proc/self/status}, whose {@code CapEff} says whether
   *     it may change the rules
   */
  public Interception(ProcessRunner processes, Path procStatus) {
    this.processes = processes;
    this.procStatus = procStatus;
  }

  /** What a command did or found, for each family it looked at. */
  public record Outcome(List<String> lines) {}

  /**
   * Makes the {@code nat} table redirect as {@code config} says: IPv4, and IPv6 with {@code
   * config.ipv6()}; without it, meshboot's IPv6 chains from an earlier enable are removed where
   * ip6tables is there.
   */
  public Outcome enable(InterceptConfig config) {
    checkCapability();
    List<String> lines = new ArrayList<>();
    for (Family family : Family.values()) {
      boolean wanted = family == Family.IPV4 || config.ipv6();
      Optional<String> saved = save(family, wanted);
      if (saved.isEmpty()) {
        continue;
      }
      if (wanted) {
        boolean was = Rules.enabled(saved.get());
        restore(family, Rules.enable(config, family, saved.get()));
        lines.add(family.save() + ": interception enabled" + (was ? " (it was already)" : ""));
      } else {
        Rules.disable(saved.get())
            .ifPresent(
                text -> {
                  restore(family, text);
                  lines.add(family.save() + ": interception disabled (APPMESH_ENABLE_IPV6 is off)");
                });
      }
    }
    return new Outcome(lines);
  }

  /**
   * Removes meshboot's chains and the jumps into them, IPv4 and IPv6 ({@code ipv6}: IPv6 must be
   * reachable; otherwise where ip6tables is there), and nothing else.
   */
  public Outcome disable(boolean ipv6) {
    checkCapability();
    List<String> lines = new ArrayList<>();
    for (Family family : Family.values()) {
      Optional<String> saved = save(family, family == Family.IPV4 || ipv6);
      if (saved.isEmpty()) {
        continue;
      }
      Optional<String> text = Rules.disable(saved.get());
      text.ifPresent(rules -> restore(family, rules));
      lines.add(
          family.save()
              + ": interception disabled"
              + (text.isEmpty() ? " (it was not enabled)" : ""));
    }
    return new Outcome(lines);
  }

  /** Whether interception is enabled, and meshboot's rules as {@code iptables-save} shows them. */
  public Outcome status(boolean ipv6) {
    checkCapability();
    List<String> lines = new ArrayList<>();
    for (Family family : Family.values()) {
      Optional<String> saved = save(family, family == Family.IPV4 || ipv6);
      if (saved.isEmpty()) {
        continue;
      }
      lines.add(
          family.save()
              + ": interception "
              + (Rules.enabled(saved.get()) ? "enabled" : "disabled"));
      Rules.ours(saved.get()).forEach(rule -> lines.add("  " + rule));
    }
    return new Outcome(lines);
  }

  /**
   * The {@code nat} table; empty when the family is not {@code required} and its tool is missing or
   * fails (a host without IPv6 or without ip6tables).
   */
  private Optional<String> save(Family family, boolean required) {
    ProcessRunner.Result result;
    try {
      result = processes.run(List.of(family.save(), "-t", "nat"), TIMEOUT);
    } catch (IOException e) {
      if (!required) {
        return Optional.empty();
      }
      throw missing(family.save(), e);
    }
    if (result.exitCode() != 0 || result.timedOut()) {
      if (!required) {
        return Optional.empty();
      }
      throw failed(family.save(), result);
    }
    return Optional.of(result.stdout());
  }

  /** Applies {@code text} in one transaction, through a 0600 temporary file. */
  private void restore(Family family, String text) {
    Path file;
    try {
      file = Files.createTempFile("meshboot-intercept-", ".rules");
    } catch (IOException e) {
      throw new InterceptException(
          "cannot write the rules for "
              + family.restore()
              + " to a temporary file in "
              + System.getProperty("java.io.tmpdir")
              + ": "
              + e.getMessage(),
          e);
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      ProcessRunner.Result result;
      try {
        result = processes.run(List.of(family.restore(), "--noflush", file.toString()), TIMEOUT);
      } catch (IOException e) {
        throw missing(family.restore(), e);
      }
      if (result.exitCode() != 0 || result.timedOut()) {
        throw new InterceptException(
            failed(family.restore(), result).getMessage() + "\nThe rules were:\n" + text, null);
      }
    } catch (IOException e) {
      throw new InterceptException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover file in the temporary directory is harmless
      }
    }
  }

  /**
   * Fails at once, saying which capability is missing, when {@code CapEff} lacks CAP_NET_ADMIN
   * (iptables would only say "Permission denied (you must be root)"); unknown when the file cannot
   * be read, and then iptables decides.
   */
  private void checkCapability() {
    String status;
    try {
      status = Files.readString(procStatus);
    } catch (IOException e) {
      return;
    }
    for (String line : status.lines().toList()) {
      if (line.startsWith("CapEff:")) {
        long effective;
        try {
          effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
        } catch (NumberFormatException e) {
          return;
        }
        if ((effective & CAP_NET_ADMIN) == 0) {
          throw new InterceptException(
              "meshboot intercept needs the NET_ADMIN capability (CAP_NET_ADMIN) to read and change"
                  + " the iptables rules, and this process does not have it: run it as root, in"
                  + " Kubernetes with securityContext.capabilities.add: [NET_ADMIN] (the init"
                  + " container), in ECS with linuxParameters.capabilities.add: [NET_ADMIN]",
              null);
        }
      }
    }
  }

  private static InterceptException missing(String tool, IOException e) {
    return new InterceptException(
        tool
            + " cannot be run ("
            + e.getMessage()
            + "): meshboot intercept needs iptables on PATH (Debian: apt-get install iptables)",
        e);
  }

  private static InterceptException failed(String tool, ProcessRunner.Result result) {
    String why =
        result.timedOut()
            ? "did not finish within " + TIMEOUT.toSeconds() + " s"
            : "exited " + result.exitCode() + ": " + result.tail(5);
    String hint =
        result.tail(5).contains("Permission denied")
            ? " (meshboot intercept needs root or the NET_ADMIN capability)"
            : "";
    return new InterceptException(tool + " " + why + hint, null);
  }
}
