package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebouncerTest {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Long> runs = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private Debouncer debouncer(Duration quiet, Duration most) {
    return new Debouncer(quiet, most, timer, () -> runs.add(System.nanoTime()), System::nanoTime);
  }

  @Test
  void aBurstOfEventsRunsTheActionOnceItIsQuiet() throws Exception {
    Debouncer debouncer = debouncer(Duration.ofMillis(150), Duration.ofSeconds(5));

    long last = 0;
    for (int i = 0; i < 8; i++) {
      debouncer.poke();
      last = System.nanoTime();
      Thread.sleep(30);
    }
    Wait.until("the action", Duration.ofSeconds(2), () -> !runs.isEmpty());
    Thread.sleep(400);

    assertThat(runs).hasSize(1);
    assertThat(Duration.ofNanos(runs.get(0) - last)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void eventsThatNeverStopStillRunTheActionAfterTheLongestWait() throws Exception {
    Debouncer debouncer = debouncer(Duration.ofMillis(150), Duration.ofMillis(400));

    long first = System.nanoTime();
    while (System.nanoTime() - first < Duration.ofSeconds(1).toNanos()) {
      debouncer.poke();
      Thread.sleep(50);
    }

    assertThat(runs).isNotEmpty();
    assertThat(Duration.ofNanos(runs.get(0) - first))
        .isBetween(Duration.ofMillis(400), Duration.ofMillis(600));
  }

  @Test
  void anEventAfterTheActionStartsANewBurst() throws Exception {
    Debouncer debouncer = debouncer(Duration.ofMillis(50), Duration.ofSeconds(1));

    debouncer.poke();
    Wait.until("the first action", Duration.ofSeconds(2), () -> runs.size() == 1);
    debouncer.poke();
    Wait.until("the second action", Duration.ofSeconds(2), () -> runs.size() == 2);
  }
}
