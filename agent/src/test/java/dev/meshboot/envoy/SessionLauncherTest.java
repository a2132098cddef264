package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Envoy's command started in a session of its own (setsid), as meshboot starts it. */
class SessionLauncherTest {

  private final Children children = new Children();
  private Process process;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private Process start(String... argv) throws IOException {
    return start(System.getenv(), argv);
  }

  private Process start(Map<String, String> environment, String... argv) throws IOException {
    process =
        SessionLauncher.of(children, () -> environment, SessionLauncher.prefix("/usr/bin:/bin"))
            .start(List.of(argv));
    return process;
  }

  /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ... */
  private static String[] stat(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
  }

  private static String status(long pid, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith(field + ":"))
        .map(line -> line.substring(field.length() + 1).strip())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void leadsASessionAndProcessGroupOfItsOwn() throws Exception {
    Process child = start("sleep", "30");
    // setsid, then setpriv if given, then sleep: the same process, once it executes sleep
    dev.meshboot.testing.Wait.until(
        "the child executing sleep",
        java.time.Duration.ofSeconds(5),
        () -> Files.readString(Path.of("/proc/" + child.pid() + "/comm")).strip().equals("sleep"));
    String[] mine = stat(ProcessHandle.current().pid());
    String[] its = stat(child.pid());
    assertThat(its[1]).as("parent").isEqualTo(Long.toString(ProcessHandle.current().pid()));
    assertThat(its[2])
        .as("process group")
        .isEqualTo(Long.toString(child.pid()))
        .isNotEqualTo(mine[2]);
    assertThat(its[3]).as("session").isEqualTo(Long.toString(child.pid())).isNotEqualTo(mine[3]);
    assertThat(status(child.pid(), "SigBlk")).as("blocked signals").matches("0+");
    // glibc ignores its own internal signals 32 and 33 in the child; 1-31 are default.
    assertThat(Long.parseLong(status(child.pid(), "SigIgn"), 16) & 0x7fffffffL)
        .as("ignored standard signals")
        .isZero();
    assertThat(child.toHandle().pid()).isEqualTo(child.pid());
  }

  @Test
  void reportsExitCodesAndSignalDeathsAsTheJdkDoes() throws Exception {
    assertThat(start("sh", "-c", "exit 7").waitFor()).isEqualTo(7);
    assertThat(process.exitValue()).isEqualTo(7);
    assertThat(process.isAlive()).isFalse();
    assertThat(start("sh", "-c", "kill -9 $$").waitFor()).isEqualTo(128 + 9);
    assertThat(start("true").onExit().get(5, TimeUnit.SECONDS).exitValue()).isZero();
  }

  @Test
  void forwardsStdoutAndStderrSeparately() throws Exception {
    Process child = start("sh", "-c", "echo out; echo err >&2");
    assertThat(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("out\n");
    assertThat(new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("err\n");
    assertThat(child.waitFor()).isZero();
  }

  @Test
  void inheritsAnOpenFilesLimitRaisedToTheHardLimit() throws Exception {
    // HotSpot raises the JVM's soft RLIMIT_NOFILE to the hard limit (MaxFDLimit); Envoy inherits
    // it.
    Process child = start("sh", "-c", "ulimit -Sn; ulimit -Hn");
    List<String> limits =
        new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertThat(limits).hasSize(2);
    assertThat(limits.get(0)).as("soft = hard").isEqualTo(limits.get(1));
  }

  @Test
  void passesTheGivenEnvironment() throws Exception {
    start(Map.of("GREETING", "hi"), "sh", "-c", "echo $GREETING");
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("hi\n");
  }

  @Test
  void destroyIsSigtermAndDestroyForciblyIsSigkill() throws Exception {
    Process polite = start("sleep", "30");
    assertThat(polite.waitFor(100, TimeUnit.MILLISECONDS)).isFalse();
    assertThatThrownBy(polite::exitValue).isInstanceOf(IllegalThreadStateException.class);
    polite.destroy();
    assertThat(polite.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(polite.exitValue()).isEqualTo(128 + 15);
    polite.destroyForcibly(); // exited: no signal, no error

    // An ignored signal stays ignored across exec, so this sleep survives SIGTERM.
    Process stubborn = start("sh", "-c", "trap '' TERM; exec sleep 30");
    Thread.sleep(200);
    stubborn.destroy();
    assertThat(stubborn.waitFor(300, TimeUnit.MILLISECONDS)).isFalse();
    stubborn.destroyForcibly();
    assertThat(stubborn.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stubborn.exitValue()).isEqualTo(128 + 9);
  }

  @Test
  void inheritsNoDescriptorOfTheJvmBeyondStdio() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Process child = start("ls", "/proc/self/fd");
      List<String> fds =
          new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .toList();
      assertThat(child.waitFor()).isZero();
      // 3 is the directory ls itself opens to list /proc/self/fd.
      assertThat(fds).as("with %s open in the JVM", listening).containsExactly("0", "1", "2", "3");
    }
  }

  @Test
  void theReaperLeavesALaunchedChildToItsWaiter() throws Exception {
    Reaper reaper = Reaper.start(Posix.load().orElseThrow(), children);
    try {
      Process child = start("sh", "-c", "exit 5");
      for (int i = 0; i < 20 && child.isAlive(); i++) {
        assertThat(reaper.reapOnce()).isZero();
        Thread.sleep(10);
      }
      assertThat(child.waitFor()).as("the exit status reached the JDK").isEqualTo(5);
    } finally {
      reaper.close();
    }
  }

  @Test
  void aCommandThatCannotStartIsAnIoException() {
    assertThatThrownBy(() -> start("/nonexistent/envoy", "--version"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot start /nonexistent/envoy");
  }
}
