package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against shell scripts that behave like Envoy (and like it should not). */
class SupervisorTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Supervisor supervisor(Path tmp, String script, int restarts, Duration stepTimeout)
      throws IOException {
    Path file = tmp.resolve("envoy.sh");
    Files.writeString(
        file, "#!/bin/sh\necho launched >> " + tmp.resolve("launches") + "\n" + script + "\n");
    file.toFile().setExecutable(true);
    return new Supervisor(
        List.of(file.toString()),
        argv -> new ProcessBuilder(argv).start(),
        new RestartPolicy(
            restarts,
            Duration.ofMillis(20),
            Duration.ofMillis(50),
            Duration.ofMinutes(5),
            () -> 0.5),
        Optional.empty(),
        new OomKills(tmp.resolve("memory.events")),
        new Supervisor.Shutdown(Duration.ofSeconds(2), Duration.ofMillis(100), stepTimeout),
        Clock.systemUTC(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static long launches(Path tmp) throws IOException {
    return Files.readAllLines(tmp.resolve("launches")).size();
  }

  @Test
  void restartsACrashingEnvoyUntilTheBudgetIsSpent(@TempDir Path tmp) throws IOException {
    Supervisor supervisor =
        supervisor(tmp, "echo boom >&2\nkill -SEGV $$", 2, Duration.ofSeconds(1));
    java.util.concurrent.atomic.AtomicInteger told =
        new java.util.concurrent.atomic.AtomicInteger();
    supervisor.onExit(told::incrementAndGet);
    assertThat(supervisor.run()).isEqualTo(Supervisor.Outcome.RESTARTS_EXHAUSTED);
    assertThat(launches(tmp)).isEqualTo(3);
    assertThat(told).as("every exit is told at once (the health poller polls)").hasValue(3);
    assertThat(supervisor.lastExit())
        .hasValueSatisfying(
            exit -> {
              assertThat(exit.classification()).isEqualTo(Exit.Classification.CRASH);
              assertThat(exit.signal()).isEqualTo(11);
              assertThat(exit.stderrTail()).containsExactly("boom");
            });
  }

  @Test
  void aShutdownBeforeTheFirstLaunchStartsNothing(@TempDir Path tmp) throws IOException {
    Supervisor supervisor = supervisor(tmp, "exec sleep 30", 3, Duration.ofSeconds(1));
    supervisor.shutdown();
    assertThat(supervisor.run()).isEqualTo(Supervisor.Outcome.STOPPED);
    assertThat(tmp.resolve("launches")).doesNotExist();
  }

  @Test
  void doesNotRetryARejectedConfiguration(@TempDir Path tmp) throws IOException {
    Supervisor supervisor =
        supervisor(
            tmp,
            "echo \"[critical][main] error initializing configuration '/b.json': bad\" >&2\nexit 1",
            3,
            Duration.ofSeconds(1));
    assertThat(supervisor.run()).isEqualTo(Supervisor.Outcome.CONFIG_REJECTED);
    assertThat(launches(tmp)).isEqualTo(1);
  }

  @Test
  void forwardsOutputLineByLineAndStopsWhenEnvoyExitsCleanly(@TempDir Path tmp) throws IOException {
    Supervisor supervisor =
        supervisor(tmp, "echo 'out line'\necho 'err line' >&2\nexit 0", 3, Duration.ofSeconds(1));
    assertThat(supervisor.run()).isEqualTo(Supervisor.Outcome.STOPPED);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("out line\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("err line\n");
  }

  @Test
  void restartsAnEnvoyThatDiedAndStopsItOnShutdown(@TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("died-once");
    Supervisor supervisor =
        supervisor(
            tmp,
            "if [ ! -f "
                + marker
                + " ]; then touch "
                + marker
                + "; kill -KILL $$; fi\nexec sleep 30",
            3,
            Duration.ofSeconds(2));
    CompletableFuture<Supervisor.Outcome> run = CompletableFuture.supplyAsync(supervisor::run);
    waitFor(() -> Files.exists(tmp.resolve("launches")) && launches(tmp) == 2);
    Thread.sleep(200);
    long start = System.nanoTime();
    supervisor.shutdown();
    assertThat(run.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(Supervisor.Outcome.STOPPED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(supervisor.lastExit())
        .hasValueSatisfying(
            exit -> assertThat(exit.classification()).isEqualTo(Exit.Classification.SIGNAL));
  }

  @Test
  void aSecondShutdownKillsAnEnvoyThatIgnoresSigterm(@TempDir Path tmp) throws Exception {
    Supervisor supervisor =
        supervisor(tmp, "trap '' TERM\nwhile true; do sleep 0.1; done", 3, Duration.ofSeconds(20));
    CompletableFuture<Supervisor.Outcome> run = CompletableFuture.supplyAsync(supervisor::run);
    waitFor(() -> Files.exists(tmp.resolve("launches")));
    Thread.sleep(200);
    supervisor.shutdown();
    Thread.sleep(500);
    assertThat(run).isNotDone();
    long start = System.nanoTime();
    supervisor.shutdown();
    assertThat(run.get(5, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(Supervisor.Outcome.STOPPED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  private static void waitFor(Wait.Check check) throws Exception {
    Wait.until("the launches", Duration.ofSeconds(10), check);
  }
}
