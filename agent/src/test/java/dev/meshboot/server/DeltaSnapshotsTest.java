package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeltaSnapshotsTest {

  @Test
  void snapshotsStartWithTheFirstDeltaAndStopWhenNobodyAsks() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger opened = new AtomicInteger();
    AtomicLong now = new AtomicLong();
    try {
      DeltaSnapshots snapshots =
          new DeltaSnapshots(
              () -> OptionalLong.of(42),
              () -> {
                opened.incrementAndGet();
                throw new IOException("no Envoy here");
              },
              timer,
              Duration.ofMillis(20),
              Duration.ofSeconds(10),
              now::get);
      Thread.sleep(100);
      assertThat(opened).as("nobody asked").hasValue(0);
      assertThat(snapshots.running()).isFalse();

      assertThat(snapshots.deltaAsked()).as("nothing to subtract yet").isEmpty();
      Wait.until("snapshots", Duration.ofSeconds(5), () -> opened.get() >= 3);

      now.addAndGet(Duration.ofSeconds(11).toNanos());
      Wait.until("the snapshots to stop", Duration.ofSeconds(5), () -> !snapshots.running());
      int taken = opened.get();
      Thread.sleep(100);
      assertThat(opened).as("none after stopping").hasValue(taken);

      snapshots.deltaAsked();
      assertThat(snapshots.running()).as("asked again: started again").isTrue();
    } finally {
      timer.shutdownNow();
    }
  }
}
