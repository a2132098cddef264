package dev.meshboot.intercept;

import dev.meshboot.config.InterceptConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code nat} table rules of App Mesh's proxy init (contract §10), as {@code iptables-restore}
 * input: chain {@code APPMESH_EGRESS}, jumped to from {@code OUTPUT} for TCP to non-local
 * destinations, returns for the ignored user and group, ignored ports and ignored addresses and
 * redirects the rest to Envoy's egress port; chain {@code APPMESH_INGRESS}, jumped to from {@code
 * PREROUTING} for TCP from non-local sources, redirects the application's ports to Envoy's ingress
 * port. Every rule is written exactly as {@code iptables-save} prints it back, so that what is
 * there can be compared with what should be, line by line: applying twice changes nothing, and
 * disabling removes exactly these chains and the jumps to them. Pure text; {@link Interception}
 * reads and applies it.
 */
public final class Rules {

  public static final String INGRESS = "APPMESH_INGRESS";
  public static final String EGRESS = "APPMESH_EGRESS";

  /** {@code -m multiport} takes at most 15 ports a rule. */
  static final int MULTIPORT_MAX = 15;

  private Rules() {}

  /**
   * The jumps into meshboot's chains from the built-in ones, as {@code iptables-save} prints them.
   */
  static List<String> jumps(InterceptConfig config) {
    List<String> jumps = new ArrayList<>();
    if (!config.appPorts().isEmpty()) {
      jumps.add("-A PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j " + INGRESS);
    }
    jumps.add("-A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j " + EGRESS);
    return jumps;
  }

  /** The rules of meshboot's chains for {@code family}, in order. */
  static List<String> chainRules(InterceptConfig config, Family family) {
    List<String> rules = new ArrayList<>();
    rules.add("-A " + EGRESS + " -m owner --uid-owner " + config.ignoreUid() + " -j RETURN");
    config
        .ignoreGid()
        .ifPresent(
            gid -> rules.add("-A " + EGRESS + " -m owner --gid-owner " + gid + " -j RETURN"));
    for (int port : config.ignoredPorts()) {
      rules.add("-A " + EGRESS + " -p tcp -m multiport --dports " + port + " -j RETURN");
    }
    for (String block : config.ignoredIps()) {
      if (family.holds(block)) {
        rules.add("-A " + EGRESS + " -d " + block + " -p tcp -j RETURN");
      }
    }
    rules.add("-A " + EGRESS + " -p tcp -j REDIRECT --to-ports " + config.egressPort());
    List<Integer> ports = config.appPorts();
    for (int from = 0; from < ports.size(); from += MULTIPORT_MAX) {
      List<String> group =
          ports.subList(from, Math.min(ports.size(), from + MULTIPORT_MAX)).stream()
              .map(String::valueOf)
              .toList();
      rules.add(
          "-A "
              + INGRESS
              + " -p tcp -m multiport --dports "
              + String.join(",", group)
              + " -j REDIRECT --to-ports "
              + config.ingressPort());
    }
    return rules;
  }

  /**
   * The chains meshboot's rules need, for a table without them: what {@code meshboot intercept
   * rules} prints.
   */
  public static String fresh(InterceptConfig config, Family family) {
    return enable(config, family, "");
  }

  /**
   * The {@code iptables-restore --noflush} input that turns the {@code nat} table {@code saved}
   * ({@code iptables-save -t nat}) into one with meshboot's chains as {@code config} says: each
   * chain declared (which creates it, or empties one that is there) and filled, each jump added
   * unless it is there already, jumps into meshboot's chains that {@code config} does not make
   * deleted, and the ingress chain removed when there are no application ports.
   */
  public static String enable(InterceptConfig config, Family family, String saved) {
    Table table = Table.parse(saved);
    List<String> wantedJumps = jumps(config);
    Set<String> chains = new LinkedHashSet<>();
    if (!config.appPorts().isEmpty()) {
      chains.add(INGRESS);
    }
    chains.add(EGRESS);
    StringBuilder text = new StringBuilder("*nat\n");
    for (String chain : chains) {
      text.append(':').append(chain).append(" - [0:0]\n");
    }
    Set<String> kept = new LinkedHashSet<>();
    for (String jump : table.jumps()) {
      if (wantedJumps.contains(jump) && kept.add(jump)) {
        continue;
      }
      text.append("-D").append(jump.substring(2)).append('\n');
    }
    for (String chain : table.chains()) {
      if (!chains.contains(chain)) {
        text.append("-F ").append(chain).append("\n-X ").append(chain).append('\n');
      }
    }
    for (String rule : chainRules(config, family)) {
      text.append(rule).append('\n');
    }
    for (String jump : wantedJumps) {
      if (!kept.contains(jump)) {
        text.append(jump).append('\n');
      }
    }
    return text.append("COMMIT\n").toString();
  }

  /**
   * The {@code iptables-restore --noflush} input that removes meshboot's chains and every jump into
   * them from the {@code nat} table {@code saved}, touching nothing else; empty when there is
   * nothing of meshboot's.
   */
  public static Optional<String> disable(String saved) {
    Table table = Table.parse(saved);
    if (table.chains().isEmpty() && table.jumps().isEmpty()) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder("*nat\n");
    for (String jump : table.jumps()) {
      text.append("-D").append(jump.substring(2)).append('\n');
    }
    for (String chain : table.chains()) {
      text.append("-F ").append(chain).append("\n-X ").append(chain).append('\n');
    }
    return Optional.of(text.append("COMMIT\n").toString());
  }

  /** The lines of {@code saved} about meshboot's chains: their declarations, rules and jumps. */
  public static List<String> ours(String saved) {
    return saved
        .lines()
        .filter(
            line ->
                line.startsWith(":" + INGRESS + " ")
                    || line.startsWith(":" + EGRESS + " ")
                    || Table.isOurs(line))
        .toList();
  }

  /** Whether {@code saved} redirects outbound traffic: the egress chain and its jump are there. */
  public static boolean enabled(String saved) {
    Table table = Table.parse(saved);
    return table.chains().contains(EGRESS)
        && table.jumps().contains("-A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j " + EGRESS);
  }

  /**
   * What an {@code iptables-save -t nat} shows of meshboot's: its chains, and the rules of other
   * chains that jump into them.
   */
  private record Table(List<String> chains, List<String> jumps) {

    static Table parse(String saved) {
      List<String> chains = new ArrayList<>();
      List<String> jumps = new ArrayList<>();
      for (String line : saved.lines().toList()) {
        for (String chain : List.of(INGRESS, EGRESS)) {
          if (line.startsWith(":" + chain + " ")) {
            chains.add(chain);
          }
        }
        if (line.startsWith("-A ") && !inOurChain(line) && isOurs(line)) {
          jumps.add(line);
        }
      }
      return new Table(chains, jumps);
    }

    private static boolean inOurChain(String line) {
      return line.startsWith("-A " + INGRESS + " ") || line.startsWith("-A " + EGRESS + " ");
    }

    /** A rule of meshboot's chains, or one that jumps (or goes) to them. */
    static boolean isOurs(String line) {
      if (!line.startsWith("-A ")) {
        return false;
      }
      if (inOurChain(line)) {
        return true;
      }
      List<String> words = List.of(line.split(" "));
      for (int i = 0; i + 1 < words.size(); i++) {
        if ((words.get(i).equals("-j") || words.get(i).equals("-g"))
            && (words.get(i + 1).equals(INGRESS) || words.get(i + 1).equals(EGRESS))) {
          return true;
        }
      }
      return false;
    }
  }
}
