package dev.meshboot.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A command of an EKS manifest (a container's command, a probe, a hook) run for {@link EksPodIT} as
 * the kubelet runs it: in the pod's network namespace, after a prefix that gives it its container's
 * file system and identity, with the container's variables and nothing of the test's environment
 * but {@code PATH}.
 */
final class EksPodExec {

  private EksPodExec() {}

  /** The {@code meshboot} of a manifest's command is the jar, as the image's launcher runs it. */
  static ProcessBuilder builder(
      List<String> prefix, Map<String, String> env, List<String> command) {
    List<String> words = new ArrayList<>(prefix);
    if (command.getFirst().equals("meshboot")) {
      words.addAll(List.of(ReleaseJava.java(), "-jar", System.getProperty("meshboot.jar")));
      words.addAll(command.subList(1, command.size()));
    } else {
      words.addAll(command);
    }
    ProcessBuilder builder = new ProcessBuilder(words);
    builder.environment().clear();
    builder
        .environment()
        .put("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
    builder.environment().putAll(env);
    return builder;
  }

  /** A command's exit code and output (stdout and stderr, stripped). */
  record Run(int code, String output) {}

  /**
   * {@code command} in {@code netns} after {@code prefix}, with {@code env} only, within {@code
   * seconds}.
   */
  static Run run(
      Netns netns, List<String> prefix, Map<String, String> env, List<String> command, int seconds)
      throws Exception {
    Process process = netns.start(builder(prefix, env, command).redirectErrorStream(true));
    BoundedProcess.Result result = BoundedProcess.await(process, Duration.ofSeconds(seconds));
    return new Run(result.exitCode(), result.output().strip());
  }
}
