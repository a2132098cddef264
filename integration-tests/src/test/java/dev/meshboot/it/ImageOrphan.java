package dev.meshboot.it;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run inside the image's container by {@link ImageIT} (from the mounted test classes): starts a
 * copy of itself that sleeps two seconds and exits at once without waiting for it, so that the copy
 * is orphaned and reparented to the container's PID 1, meshboot, which must reap it.
 */
final class ImageOrphan {

  private ImageOrphan() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length > 0 && args[0].equals("sleep")) {
      Thread.sleep(2000);
      return;
    }
    new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx8m",
            "-cp",
            System.getProperty("java.class.path"),
            ImageOrphan.class.getName(),
            "sleep")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
