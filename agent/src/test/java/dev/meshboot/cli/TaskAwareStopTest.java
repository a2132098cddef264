package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.aws.FakeServer;
import dev.meshboot.aws.FakeServer.Answer;
import dev.meshboot.aws.TaskPeers;
import dev.meshboot.testing.Wait;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The task-aware stop against a loopback task metadata v4 endpoint, answering as the v4 examples in
 * AWS's documentation do (container document at the base, task document at {@code /task}).
 */
class TaskAwareStopTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final Duration POLL = Duration.ofMillis(50);

  private static final String OWN =
      """
      {"DockerId": "envoy0123", "Name": "envoy", "KnownStatus": "RUNNING", "Type": "NORMAL"}
      """;

  private static String task(String appStatus) {
    return """
        {"Cluster": "default", "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/abc",
         "KnownStatus": "RUNNING", "DesiredStatus": "STOPPED",
         "Containers": [
          {"DockerId": "envoy0123", "Name": "envoy", "KnownStatus": "RUNNING", "Type": "NORMAL"},
          {"DockerId": "app4567", "Name": "app", "KnownStatus": "%s", "Type": "NORMAL"},
          {"DockerId": "pause89", "Name": "~internal~ecs~pause", "KnownStatus": "RUNNING",
           "Type": "CNI_PAUSE"}
         ]}
        """
        .formatted(appStatus);
  }

  private static TaskAwareStop stop(FakeServer fake, Duration bound, Runnable action) {
    return new TaskAwareStop(
        () -> {
          TaskPeers peers = TaskPeers.of(URI.create(fake.url()), TIMEOUT);
          return peers::running;
        },
        bound,
        POLL,
        action);
  }

  @Test
  void waitsUntilTheAppContainerStoppedThenStops() throws Exception {
    AtomicReference<String> app = new AtomicReference<>("RUNNING");
    AtomicInteger stops = new AtomicInteger();
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.json(task(app.get())));
      TaskAwareStop stop = stop(fake, Duration.ofSeconds(30), stops::incrementAndGet);
      stop.request();
      Wait.until(
          "task metadata asked a few times",
          Duration.ofSeconds(10),
          () -> fake.requests.stream().filter(r -> r.path().equals("/task")).count() >= 3);
      assertThat(stops).as("Envoy keeps serving while the app runs").hasValue(0);
      app.set("STOPPED");
      Wait.until("stop action once the app stopped", Duration.ofSeconds(5), () -> stops.get() == 1);
      stop.request();
      assertThat(stops).as("a later request passes straight on").hasValue(2);
    }
  }

  @Test
  void pendingIsStillRunning() throws Exception {
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.json(task("PENDING")));
      assertThat(TaskPeers.of(URI.create(fake.url()), TIMEOUT).running()).containsExactly("app");
    }
  }

  @Test
  void aFailingEndpointEndsTheWaitAtOnce() throws Exception {
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.status(500));
      long start = System.nanoTime();
      assertThat(stop(fake, Duration.ofSeconds(30), () -> {}).await())
          .isEqualTo(TaskAwareStop.Reason.METADATA_FAILED);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void nonsenseEndsTheWaitAtOnce() throws Exception {
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.json("{\"Containers\": [{\"Name\": \"app\"}]}"));
      assertThat(stop(fake, Duration.ofSeconds(30), () -> {}).await())
          .isEqualTo(TaskAwareStop.Reason.METADATA_FAILED);
    }
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json("[]"));
      assertThat(stop(fake, Duration.ofSeconds(30), () -> {}).await())
          .as("own container document not an object")
          .isEqualTo(TaskAwareStop.Reason.METADATA_FAILED);
    }
  }

  @Test
  void aHangingEndpointCostsOneRequestTimeout() throws Exception {
    try (FakeServer fake = new FakeServer().hanging()) {
      long start = System.nanoTime();
      assertThat(stop(fake, Duration.ofSeconds(30), () -> {}).await())
          .isEqualTo(TaskAwareStop.Reason.METADATA_FAILED);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void theDrainTimeBoundsTheWait() throws Exception {
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.json(task("RUNNING")));
      long start = System.nanoTime();
      assertThat(stop(fake, Duration.ofMillis(600), () -> {}).await())
          .isEqualTo(TaskAwareStop.Reason.BOUND_REACHED);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isBetween(Duration.ofMillis(550), Duration.ofSeconds(3));
    }
  }

  @Test
  void aSecondRequestCutsTheWaitShortAndIsPassedOn() throws Exception {
    AtomicInteger stops = new AtomicInteger();
    try (FakeServer fake = new FakeServer()) {
      fake.route("GET", "/", request -> Answer.json(OWN))
          .route("GET", "/task", request -> Answer.json(task("RUNNING")));
      TaskAwareStop stop = stop(fake, Duration.ofSeconds(30), stops::incrementAndGet);
      stop.request();
      Wait.until(
          "task metadata asked",
          Duration.ofSeconds(10),
          () -> fake.requests.stream().anyMatch(r -> r.path().equals("/task")));
      stop.request();
      Wait.until(
          "both requests reach the stop action (the second kills Envoy)",
          Duration.ofSeconds(5),
          () -> stops.get() == 2);
    }
  }
}
