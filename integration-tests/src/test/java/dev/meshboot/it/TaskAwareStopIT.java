package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshboot run} in an ECS task (a loopback task metadata v4 endpoint, answering as AWS's v4
 * examples do): SIGTERM leaves the real Envoy serving while the app container runs, and the usual
 * drain and stop follow once the endpoint says it stopped.
 */
class TaskAwareStopIT {

  private static final String OWN =
      "{\"DockerId\": \"envoy0123\", \"Name\": \"envoy\", \"KnownStatus\": \"RUNNING\"}";

  private @Nullable Process meshboot;
  private @Nullable Server server;
  private @Nullable HttpServer metadata;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, server);
    if (metadata != null) {
      metadata.stop(0);
    }
  }

  @Test
  void envoyServesUntilTheAppContainerStopped(@TempDir Path tmp) throws Exception {
    AtomicReference<String> app = new AtomicReference<>("RUNNING");
    AtomicInteger taskReads = new AtomicInteger();
    HttpServer fake =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metadata = fake;
    fake.createContext("/v4/envoy0123", exchange -> answer(exchange, OWN));
    fake.createContext(
        "/v4/envoy0123/task",
        exchange -> {
          taskReads.incrementAndGet();
          answer(
              exchange,
              """
              {"Cluster": "default", "AvailabilityZone": "us-west-2a",
               "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/abc",
               "Containers": [
                {"DockerId": "envoy0123", "Name": "envoy", "KnownStatus": "RUNNING"},
                {"DockerId": "app4567", "Name": "app", "KnownStatus": "%s"}]}
              """
                  .formatted(app.get()));
        });
    fake.start();
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    int admin = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    Process run =
        Local.meshbootRun(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT",
                Integer.toString(admin),
                "AWS_REGION",
                "us-west-2",
                "LISTENER_DRAIN_WAIT_TIME_S",
                "20",
                "ECS_CONTAINER_METADATA_URI_V4",
                "http://127.0.0.1:" + fake.getAddress().getPort() + "/v4/envoy0123"));
    meshboot = run;
    Local.waitUntil(
        run, () -> "LIVE".equals(Local.ready(admin)), log, "Envoy LIVE", Duration.ofSeconds(30));

    run.destroy();
    int before = taskReads.get();
    Local.waitUntil(
        run,
        () -> taskReads.get() >= before + 3,
        log,
        "task metadata polled after SIGTERM",
        Duration.ofSeconds(10));
    Thread.sleep(1500);
    assertThat(run.isAlive()).isTrue();
    assertThat(Local.ready(admin)).as("Envoy still serves while the app runs").isEqualTo("LIVE");
    assertThat(Local.read(log))
        .contains("keeping Envoy serving until the task's other containers stop")
        .contains("running=app")
        .doesNotContain("draining inbound listeners");

    long stopped = System.nanoTime();
    app.set("STOPPED");
    assertThat(run.waitFor(15, TimeUnit.SECONDS)).as(Local.read(log)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - stopped))
        .as("stops soon after the app container stopped, well before the 20 s drain time")
        .isLessThan(Duration.ofSeconds(10));
    assertThat(run.exitValue()).as(Local.read(log)).isZero();
    assertThat(Files.readString(log))
        .contains("the task's other containers have stopped; stopping Envoy")
        .contains("draining inbound listeners")
        .contains("envoy stopped");
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
