package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshboot run --mesh examples/appmesh-workshop} as the README's first command runs it: the
 * control plane embedded in the supervisor serves the workshop's {@code frontend} node to a real
 * Envoy, whose egress listener (15001) routes {@code crystal.appmeshworkshop.hosted.local} through
 * the crystal router to the crystal apps and refuses what the mesh does not know (DROP_ALL). A
 * change to the definition reaches the running Envoy without a restart or a failed request; an
 * invalid change is refused and the previous definition kept.
 *
 * <p>App Mesh's listeners are 0.0.0.0:15000 and 0.0.0.0:15001, so everything runs in a {@link
 * Netns} the test creates, as in a task or a pod of its own (root, which CI has: without it the
 * test fails, it does not skip).
 */
class RunMeshIT {

  private static final Path WORKSHOP =
      Path.of(System.getProperty("meshboot.examples"), "appmesh-workshop").toAbsolutePath();
  private static final String CRYSTAL = "crystal.appmeshworkshop.hosted.local";

  private @Nullable Netns pod;
  private final List<MeshUpstream> apps = new ArrayList<>();

  @BeforeEach
  void pod() {
    pod = Netns.create();
  }

  @AfterEach
  void stop() throws IOException {
    for (MeshUpstream app : apps) {
      app.close();
    }
    // kills meshboot with its Envoy
    Objects.requireNonNull(pod).close();
  }

  @Test
  void theWorkshopMeshRoutesThroughEgressAndRefusesTheRest(@TempDir Path tmp) throws Exception {
    app(9081, "vanilla");
    app(9082, "epoch");
    Path log = tmp.resolve("meshboot.log");
    Process meshboot = run(tmp, WORKSHOP, log);
    waitRouted(meshboot, log);

    // crystal-random-route: 2:1 between vanilla and epoch. 600 requests: vanilla's count is 400
    // with a standard deviation of 11.5, and 300 (sd 12.2) if the weights were ignored
    List<String> answers = curlMany(CRYSTAL, 600);
    assertThat(answers).containsOnly("200 vanilla", "200 epoch");
    long vanilla = answers.stream().filter("200 vanilla"::equals).count();
    assertThat(vanilla).as("vanilla's share (2 of 3) of 600").isBetween(348L, 452L);
    // crystal-header-route (priority 1): canary_fleet: true goes to epoch only
    for (int i = 0; i < 10; i++) {
      assertThat(curl(CRYSTAL, "/", Map.of("canary_fleet", "true"))).isEqualTo("200 epoch");
    }
    // DROP_ALL: a destination the mesh does not define gets no route
    assertThat(curl("example.com", "/", Map.of())).isEqualTo("404 ");
    // a backend whose node is down: the mesh routes, nothing answers
    assertThat(curl("nodejs.appmeshworkshop.hosted.local", "/", Map.of())).startsWith("503 ");
  }

  @Test
  void aChangeReachesTheRunningEnvoyWithoutRestartOrFailedRequest(@TempDir Path tmp)
      throws Exception {
    app(9081, "vanilla");
    app(9082, "epoch");
    Path mesh = copy(WORKSHOP, tmp.resolve("mesh"));
    Path log = tmp.resolve("meshboot.log");
    Process meshboot = run(tmp, mesh, log);
    waitRouted(meshboot, log);
    long envoy = Local.envoyUnder(meshboot.toHandle()).orElseThrow().pid();

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
    Thread load =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    try {
                      String answer = curl(CRYSTAL, "/", Map.of());
                      sent.incrementAndGet();
                      if (!answer.startsWith("200 ")) {
                        failed.add(answer);
                      }
                    } catch (RuntimeException e) {
                      failed.add(e.toString());
                    }
                  }
                });
    // every request to epoch: the random route's weights changed
    Path route = mesh.resolve("routes/crystal-random-route.json");
    Files.writeString(
        route,
        Files.readString(route).replace("\"weight\": 2", "\"weight\": 0"),
        StandardCharsets.UTF_8);
    Wait.until(
        "the new weights in effect",
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        () -> {
          for (int i = 0; i < 10; i++) {
            if (!curl(CRYSTAL, "/", Map.of()).equals("200 epoch")) {
              return false;
            }
          }
          return true;
        },
        meshboot::isAlive,
        () -> Local.read(log));
    // an invalid change is refused and logged; the previous definition keeps being served
    Files.writeString(
        mesh.resolve("routes/broken.json"),
        "{\"meshName\": \"appmesh-workshop\", \"virtualRouterName\": \"crystal-router\","
            + " \"routeName\": \"broken\", \"spec\": {\"httpRoute\": {\"match\": {\"prefix\":"
            + " \"/\"}, \"action\": {\"weightedTargets\": [{\"virtualNode\": \"missing\","
            + " \"weight\": 1}]}}}}");
    String refusal = "virtualNode \"missing\" is not defined in mesh appmesh-workshop";
    Local.waitUntil(
        meshboot,
        () -> Local.read(log).contains(refusal),
        log,
        "the invalid change refused",
        Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      assertThat(curl(CRYSTAL, "/", Map.of())).isEqualTo("200 epoch");
    }
    running.set(false);
    load.join(10_000);
    assertThat(failed).as("requests that failed during the changes").isEmpty();
    assertThat(sent.get()).isGreaterThan(20);
    assertThat(Local.envoyUnder(meshboot.toHandle()).orElseThrow().pid())
        .as("the same Envoy")
        .isEqualTo(envoy);
  }

  @Test
  void aDefinitionWithoutThisNodeIsExit3(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Process meshboot =
        run(
            tmp,
            WORKSHOP,
            log,
            Map.of("APPMESH_RESOURCE_ARN", "mesh/appmesh-workshop/virtualNode/cart"));
    assertThat(meshboot.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Local.read(log)).isEqualTo(3);
    assertThat(Local.read(log))
        .contains("defines no virtualNode cart in mesh appmesh-workshop")
        .doesNotContain("starting envoy");
  }

  /**
   * A restart of the same mesh run (the launcher's launch record): Envoy is started by the launcher
   * before the JVM and retries the embedded control plane's socket (the bootstrap's 50 ms retry
   * policy) until the JVM serves it, and the JVM keeps that Envoy, which routes through the mesh.
   */
  @Test
  void aRestartStartsEnvoyFromTheLaunchRecord(@TempDir Path tmp) throws Exception {
    app(9081, "vanilla");
    app(9082, "epoch");
    Map<String, String> env = Local.workshopFrontend(WORKSHOP, tmp);
    for (String name : List.of("first.log", "second.log")) {
      Path log = tmp.resolve(name);
      Process meshboot = Local.launcherRun(tmp, log, env, Objects.requireNonNull(pod));
      waitRouted(meshboot, log);
      if (name.equals("second.log")) {
        Local.waitUntil(
            meshboot,
            () -> Files.readString(log).contains("envoy was started by the launcher"),
            log,
            "the JVM adopting the launcher's Envoy",
            Duration.ofSeconds(30));
      }
      meshboot.destroy();
      assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(meshboot.exitValue()).as(output).isZero();
      assertThat(output).doesNotContain("replacing it");
    }
    assertThat(Files.readString(tmp.resolve("first.log")))
        .doesNotContain("envoy was started by the launcher");
  }

  private Process run(Path tmp, Path mesh, Path log) throws IOException {
    return run(tmp, mesh, log, Map.of());
  }

  private Process run(Path tmp, Path mesh, Path log, Map<String, String> extra) throws IOException {
    Map<String, String> env = Local.workshopFrontend(mesh, tmp);
    env.putAll(extra);
    return Local.meshbootRun(tmp, log, env, Objects.requireNonNull(pod));
  }

  /** Waits for the first request routed through the mesh. */
  private void waitRouted(Process meshboot, Path log) throws Exception {
    Local.waitUntil(
        meshboot,
        () -> curl(CRYSTAL, "/", Map.of("canary_fleet", "true")).equals("200 epoch"),
        log,
        "a request routed through the egress listener",
        Duration.ofSeconds(60));
  }

  /** An app in the pod on {@code port} that answers every request with {@code name}. */
  private void app(int port, String name) throws Exception {
    apps.add(
        MeshUpstream.start(
            Objects.requireNonNull(pod),
            name,
            "127.0.0.1",
            port,
            (request, earlier) -> MeshUpstream.ok()));
  }

  /** {@code "<status> <body>"} of a request through the egress listener with {@code host}. */
  private String curl(String host, String path, Map<String, String> headers) {
    List<String> options = new ArrayList<>(List.of("-H", "Host: " + host));
    headers.forEach((name, value) -> options.addAll(List.of("-H", name + ": " + value)));
    return Objects.requireNonNull(pod)
        .curl(5, "http://127.0.0.1:15001" + path, options.toArray(String[]::new));
  }

  /** {@code "<status> <body>"} of {@code count} requests with {@code host}, in one curl. */
  private List<String> curlMany(String host, int count) {
    List<String> answers =
        Objects.requireNonNull(pod)
            .curl(60, count, "http://127.0.0.1:15001/", "-H", "Host: " + host);
    assertThat(answers).hasSize(count);
    return answers;
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }
}
