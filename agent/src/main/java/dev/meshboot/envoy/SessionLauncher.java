package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Starts Envoy in a session and process group of its own, so that a terminal's Ctrl-C (SIGINT to
 * the foreground process group) reaches meshboot only, and meshboot drains Envoy instead of Envoy
 * dying at once. {@link ProcessBuilder} cannot call {@code setsid}, so Envoy's command goes through
 * util-linux's {@code setsid}, which calls it and executes Envoy in the same process (a child the
 * JDK started is no process group leader, so setsid does not fork). A JDK process starts in ~20 ms;
 * spawning through the foreign function API instead cost ~0.1 s of linking before Envoy's first
 * start. Stdin is meshboot's; the child is registered in {@link Children}, so the {@link Reaper}
 * leaves its exit status to the JDK.
 */
public final class SessionLauncher {

  private static final Log log = Log.of(SessionLauncher.class);

  private SessionLauncher() {}

  /**
   * A launcher that starts Envoy's command after {@code prefix} (the session and parent-death
   * wrappers), with the environment as it is at each start.
   */
  public static Supervisor.Launcher of(
      Children children, Supplier<Map<String, String>> environment, List<String> prefix) {
    return argv -> {
      // setsid would start and then fail to execute it: say so as a failed start, not an exit
      Path program = Path.of(argv.get(0));
      if (program.isAbsolute() && !(Files.isRegularFile(program) && Files.isExecutable(program))) {
        throw new IOException("cannot start " + program + ": no executable file there");
      }
      List<String> command = new ArrayList<>(prefix);
      command.addAll(argv);
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
      builder.environment().clear();
      builder.environment().putAll(environment.get());
      return children.launch(builder);
    };
  }

  /**
   * The session prefix for {@code path} (the PATH to search): {@code setsid --}, or empty with one
   * warning when util-linux's setsid is not found.
   */
  public static List<String> prefix(String path) {
    Optional<Path> setsid = ParentDeath.find(path, "setsid");
    if (setsid.isPresent()) {
      return List.of(setsid.get().toString(), "--");
    }
    log.warn(
        "no setsid (util-linux) to start Envoy in a session of its own: a terminal's Ctrl-C"
            + " reaches Envoy too and stops it without draining");
    return List.of();
  }
}
