package dev.meshboot.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A temporary root file system for the EC2 kit's tests, as a fresh AMI has it where the startup
 * script looks: {@code /etc/passwd}, {@code group}, {@code shadow} and {@code gshadow} with the
 * system's first entries, and systemd's own units (copied from this machine, which {@code
 * systemd-analyze verify --root} needs). It lives under {@code target/} rather than {@code /tmp}:
 * the sandbox below puts a private directory over {@code /tmp}, as {@code PrivateTmp=} does.
 */
final class Ec2Root {

  /** systemd's PATH for services (systemd 252, without /usr/local split). */
  static final String SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  static final Path REPOSITORY =
      Path.of(System.getProperty("meshboot.jar"))
          .toAbsolutePath()
          .getParent()
          .getParent()
          .getParent();

  private static final String SYSTEMD_UNITS = "/usr/lib/systemd/system/";

  private final Path root;

  private Ec2Root(Path root) {
    this.root = root;
  }

  Path path() {
    return root;
  }

  /** The path {@code absolute} (such as /opt/meshboot/bin/meshboot) has under this root. */
  Path at(String absolute) {
    if (!absolute.startsWith("/")) {
      throw new IllegalArgumentException("not absolute: " + absolute);
    }
    return root.resolve(absolute.substring(1));
  }

  /** A directory beside the root for the test's own files (private /tmp directories, logs). */
  Path work(String name) throws IOException {
    return Files.createDirectories(root.resolveSibling(name));
  }

  /**
   * A new root, {@code target/ec2/<name>-<n>/root}, traversable by the service user (UID 1337);
   * {@link #work} directories go beside it.
   */
  static Ec2Root create(String name) throws IOException {
    Path root = Path.of("target", "ec2", name + "-" + System.nanoTime(), "root").toAbsolutePath();
    Files.createDirectories(root.resolve("etc"));
    for (Path dir = root;
        dir.startsWith(Path.of("target").toAbsolutePath());
        dir = dir.getParent()) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (String database : List.of("passwd", "group", "shadow", "gshadow")) {
      List<String> system =
          Files.readAllLines(Path.of("/etc", database)).stream()
              .filter(line -> line.matches("^(root|daemon|nogroup|nobody):.*"))
              .toList();
      Path file = root.resolve("etc").resolve(database);
      Files.write(file, system);
      Files.setPosixFilePermissions(
          file,
          PosixFilePermissions.fromString(database.endsWith("shadow") ? "rw-r-----" : "rw-r--r--"));
    }
    Path units = root.resolve("usr/lib/systemd/system");
    Files.createDirectories(units);
    run(List.of("cp", "-a", "/usr/lib/systemd/system/.", units.toString()), 60);
    return new Ec2Root(root);
  }

  /** The release archive the build made ({@code dist/}); fails saying how to build it. */
  static Path archive() throws IOException {
    Path target = REPOSITORY.resolve("dist/target");
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> archives =
          Files.newDirectoryStream(target, "meshboot-*-linux-x86_64.tar.gz")) {
        for (Path archive : archives) {
          return archive;
        }
      }
    }
    return fail(
        "no release archive in "
            + target
            + "; build it with ENVOY_BIN=... ./mvnw package -pl bootstrap-templates,agent,dist");
  }

  /** A root installed for one node, the script's result and the private /tmp it had. */
  record Installed(Ec2Root root, Path tmp, Result result) {

    /** The root, failing with the script's output if the installation did not succeed. */
    Ec2Root checked() {
      if (result.code() != 0) {
        fail("the startup script exited " + result.code() + ":\n" + result.output());
      }
      return root;
    }
  }

  /**
   * A new root with the App Mesh workshop's {@code frontend} node installed as user data would
   * install it (the archive checked against its SHA-256), pointed at a control plane on
   * 127.0.0.1:15010, with port 8080 intercepted, 9090 ignored, no instance metadata and a drain of
   * 5 s.
   */
  static Installed frontend(String name) throws IOException {
    Ec2Root root = create(name);
    Path tmp = privateTmp(root.work("tmp"));
    Path archive = archive();
    Result result =
        root.install(
            tmp,
            List.of(
                "--archive", archive.toString(),
                "--sha256", sha256(archive),
                "--mesh", "appmesh-workshop",
                "--virtual-node", "frontend",
                "--xds-endpoint", "127.0.0.1:15010",
                "--app-ports", "8080",
                "--egress-ignored-ports", "9090",
                "--env", "AWS_EC2_METADATA_DISABLED=true",
                "--env", "LISTENER_DRAIN_WAIT_TIME_S=5"));
    return new Installed(root, tmp, result);
  }

  /**
   * Runs {@code platforms/ec2/user-data.sh arguments} with {@code MESHBOOT_ROOT} this root, in a
   * mount namespace where everything but this root is read-only and {@code /tmp} is private (so a
   * write anywhere else fails the script), from {@code /}. Returns its exit code and output.
   */
  Result install(Path privateTmp, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of("env", "MESHBOOT_ROOT=" + root, "bash"));
    command.add(REPOSITORY.resolve("platforms/ec2/user-data.sh").toString());
    command.addAll(arguments);
    return run(sandbox(privateTmp, List.of(root), "0022", command), 300);
  }

  /**
   * {@code command} in a sandbox like the units' file-system settings: a new mount namespace whose
   * root file system is read-only ({@code ProtectSystem=strict}) except {@code writable} ({@code
   * ReadWritePaths=}, {@code RuntimeDirectory=}, {@code CacheDirectory=}), with {@code privateTmp}
   * over {@code /tmp} ({@code PrivateTmp=}), with {@code umask} ({@code UMask=}), in a session of
   * its own with no terminal.
   */
  static List<String> sandbox(
      Path privateTmp, List<Path> writable, String umask, List<String> command) {
    List<String> full =
        MountNamespace.script(
            "bash",
            """
            set -e; tmp=$1 mask=$2 n=$3; shift 3
            for ((i = 0; i < n; i++)); do mount --bind "$1" "$1"; shift; done
            mount --bind "$tmp" /tmp
            mount -o remount,bind,ro /
            cd /; umask "$mask"
            exec setsid "$@"
            """,
            "sandbox");
    full.addAll(List.of(privateTmp.toString(), umask, Integer.toString(writable.size())));
    writable.forEach(path -> full.add(path.toString()));
    full.addAll(command);
    return full;
  }

  /** A private /tmp for a sandbox: mode 1777, like /tmp. */
  static Path privateTmp(Path dir) throws IOException {
    Files.createDirectories(dir);
    run(List.of("chmod", "1777", dir.toString()), 10);
    return dir;
  }

  /**
   * Every path under this root (but systemd's own units) with its mode and owner, and a file's size
   * and modification time (links with their target): two snapshots are equal when nothing was left
   * added, removed or changed.
   */
  Map<String, String> snapshot() throws IOException {
    TreeMap<String, String> entries = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        String what;
        if (Files.isSymbolicLink(path)) {
          what = "-> " + Files.readSymbolicLink(path);
        } else {
          what =
              Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                  + " "
                  + Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                  + ":"
                  + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)
                  + " "
                  + (Files.isDirectory(path)
                      ? "dir" // whose time changes with a name added and removed again
                      : Files.size(path) + " " + Files.getLastModifiedTime(path));
        }
        String name = "/" + root.relativize(path);
        if (!name.startsWith(SYSTEMD_UNITS)) {
          entries.put(name, what);
        }
      }
    }
    return entries;
  }

  /** Removes the root and its work directories (files of root's and of the service user's). */
  void delete() throws IOException {
    run(List.of("rm", "-rf", root.getParent().toString()), 60);
  }

  record Result(int code, String output) {}

  /** Runs {@code command}, its output merged; fails if it does not end within {@code seconds}. */
  static Result run(List<String> command, int seconds) throws IOException {
    Path output = Files.createTempFile("ec2-run", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("did not end within " + seconds + " s: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
