package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How the EC2 tests run a unit's command lines as systemd would (see {@link #asWritten}), inside a
 * {@link Netns} when asked, and read what they did.
 */
final class Ec2UnitRun {

  private Ec2UnitRun() {}

  /**
   * {@code command} (an {@code Exec...=} line of {@code unit}) as systemd would run it, paths
   * mapped into {@code root}: with the unit's environment only, as its user and group (no privilege
   * gained: {@code NoNewPrivileges=}; its {@code CapabilityBoundingSet=}), in the file-system
   * sandbox of {@code ProtectSystem=strict}, {@code PrivateTmp=}, {@code ReadWritePaths=} and its
   * runtime and cache directories, with its {@code UMask=}.
   */
  static List<String> asWritten(
      Ec2Root root,
      SystemdUnit unit,
      String command,
      @Nullable Path runtime,
      @Nullable Path cache,
      Path logs)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", Ec2Root.SERVICE_PATH);
    for (String assignment : unit.all("Service.Environment")) {
      int equals = assignment.indexOf('=');
      env.put(assignment.substring(0, equals), mapped(root, assignment.substring(equals + 1)));
    }
    // EnvironmentFile= after Environment=: its values win; taken as they are (the user's)
    for (String line : Files.readAllLines(root.at(unit.one("Service.EnvironmentFile")))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int equals = line.indexOf('=');
        env.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    List<Path> writable = new ArrayList<>();
    if (runtime != null) {
      env.put("RUNTIME_DIRECTORY", runtime.toString());
      writable.add(runtime);
    }
    if (cache != null) {
      env.put("CACHE_DIRECTORY", cache.toString());
      writable.add(cache);
    }
    for (String path : unit.all("Service.ReadWritePaths")) {
      writable.add(Path.of(path.replaceFirst("^-", "")));
    }
    List<String> full = new ArrayList<>(List.of("env", "-i"));
    env.forEach((name, value) -> full.add(name + "=" + value));
    full.add("setpriv");
    String user = unit.one("Service.User");
    if (!user.equals("root")) {
      full.add("--reuid=" + id(root, "passwd", user));
      full.add("--regid=" + id(root, "group", unit.one("Service.Group")));
      full.add("--clear-groups");
    }
    if (unit.one("Service.NoNewPrivileges").equals("yes")) {
      full.add("--no-new-privs");
    }
    StringBuilder bounding = new StringBuilder("-all");
    for (String capability : unit.one("Service.CapabilityBoundingSet").split("\\s+", -1)) {
      if (!capability.isEmpty()) {
        bounding
            .append(",+")
            .append(capability.replaceFirst("^CAP_", "").toLowerCase(java.util.Locale.ROOT));
      }
    }
    full.add("--bounding-set=" + bounding);
    SystemdUnit.words(command).forEach(word -> full.add(mapped(root, word)));
    String umask = unit.all("Service.UMask").stream().findFirst().orElse("0022");
    Path tmp = Ec2Root.privateTmp(logs.resolve("tmp-" + System.nanoTime()));
    return Ec2Root.sandbox(tmp, writable, umask, full);
  }

  /** A path of the installed system (/opt, /etc, /run, /var) as it is under the test's root. */
  private static String mapped(Ec2Root root, String value) {
    return value.matches("^/(opt|etc|run|var)/.*") ? root.at(value).toString() : value;
  }

  static Ec2Root.Result inNetns(Netns netns, List<String> command) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns.name()));
    full.addAll(command);
    return Ec2Root.run(full, 120);
  }

  static String iptablesSave(Netns netns) throws Exception {
    Ec2Root.Result saved = inNetns(netns, List.of("iptables-save", "-t", "nat"));
    assertThat(saved.code()).as(saved.output()).isZero();
    // without the comments (a time stamp) and with the packet counters zeroed
    return saved
        .output()
        .lines()
        .filter(line -> !line.startsWith("#"))
        .map(line -> line.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** The numeric id of {@code name} in the root's {@code /etc/passwd} or {@code /etc/group}. */
  static int id(Ec2Root root, String database, String name) throws IOException {
    return Files.readAllLines(root.at("/etc/" + database)).stream()
        .filter(line -> line.startsWith(name + ":"))
        .map(line -> Integer.parseInt(line.split(":", -1)[2]))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + database));
  }
}
