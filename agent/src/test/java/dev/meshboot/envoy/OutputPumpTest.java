package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Envoy's output forwarded line by line, without starving the agent's virtual threads. */
class OutputPumpTest {

  @Test
  void forwardsLinesAndKeepsTheTail() throws Exception {
    Process child = new ProcessBuilder("sh", "-c", "echo one; echo two").start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputPump pump =
        OutputPump.start(
            child.getInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8), "test-out");
    assertThat(child.waitFor()).isZero();
    assertThat(pump.tail()).containsExactly("one", "two");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
  }

  @Test
  void pumpsBlockedOnQuietPipesLeaveVirtualThreadsRunning() throws Exception {
    List<Process> quiet = new ArrayList<>();
    try {
      // More blocked readers than the virtual-thread scheduler has carriers (one per CPU).
      for (int i = 0; i <= Runtime.getRuntime().availableProcessors() / 2; i++) {
        Process child = new ProcessBuilder("sleep", "30").start();
        quiet.add(child);
        OutputPump.start(child.getInputStream(), System.out, "quiet-out-" + i);
        OutputPump.start(child.getErrorStream(), System.err, "quiet-err-" + i);
      }
      Thread.sleep(200);
      CompletableFuture<String> ran = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> ran.complete("ran"));
      assertThat(ran.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
    } finally {
      for (Process child : quiet) {
        child.destroyForcibly();
        child.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
