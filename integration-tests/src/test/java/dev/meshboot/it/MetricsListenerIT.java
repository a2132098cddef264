package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only metrics listener (issue #17), seen from outside the pod: {@code meshboot run} (the
 * workshop mesh embedded, so that Envoy is fully configured) in a pod's {@link Netns}, linked by a
 * veth pair to a monitoring namespace, as a scraper on another host reaches a pod's address. A
 * scrape of {@code 10.17.0.2:9901/stats/prometheus} gets Envoy's metrics; every other admin page
 * through that address is refused while Envoy keeps running and its admin keeps answering on the
 * pod's loopback; a real Prometheus (Debian's package) with the scrape job App Mesh users
 * configured finds the target up and ingests Envoy's series. Root and iproute2, as every netns
 * test: without them the test fails, it does not skip.
 */
class MetricsListenerIT {

  private static final Path WORKSHOP =
      Path.of(System.getProperty("meshboot.examples"), "appmesh-workshop").toAbsolutePath();
  private static final String POD_IP = "10.17.0.2";
  private static final String SCRAPER_IP = "10.17.0.1";
  private static final String POD_METRICS = "http://" + POD_IP + ":9901";
  private static final String LIVE = "\nenvoy_server_live(\\{})? 1\n";

  private @Nullable Netns pod;
  private @Nullable Netns monitoring;

  @BeforeEach
  void network() {
    pod = Netns.create();
    monitoring = Netns.create();
    Netns.link(pod, POD_IP, monitoring, SCRAPER_IP);
  }

  @AfterEach
  void stop() throws IOException {
    // kills meshboot with its Envoy, and Prometheus
    Objects.requireNonNull(monitoring).close();
    Objects.requireNonNull(pod).close();
  }

  @Test
  void aScrapeOfThePodAddressGetsEnvoysMetricsAndNoOtherAdminPage(@TempDir Path tmp)
      throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Process meshboot = run(tmp, log, Map.of());
    waitScrapable(meshboot, log);
    long envoy = Local.envoyUnder(meshboot.toHandle()).orElseThrow().pid();

    String page = scrape("/stats/prometheus");
    // (Envoy 1.40 writes a series without tags with empty braces)
    assertThat(page).startsWith("200 ").contains("# TYPE envoy_").containsPattern(LIVE);
    // Envoy's query parameters reach the admin
    assertThat(scrape("/stats/prometheus?usedonly&filter=server%5C.live"))
        .startsWith("200 ")
        .containsPattern(LIVE)
        .doesNotContain("envoy_cluster_");
    assertThat(scrape("/stats?filter=server.live")).isEqualTo("200 server.live: 1\n");
    assertThat(scrape("/stats?format=json&filter=server.live")).startsWith("200 {\"stats\":");
    assertThat(scrape("/ready")).isEqualTo("200 LIVE\n");
    assertThat(scrape("/server_info")).startsWith("200 ").contains("\"state\": \"LIVE\"");

    // the admin's other pages, in every method and spelling: refused by the listener
    for (String path :
        List.of(
            "/quitquitquit",
            "/config_dump",
            "/config_dump?include_eds",
            "/logging",
            "/logging?level=trace",
            "/clusters",
            "/listeners",
            "/certs",
            "/runtime",
            "/runtime_modify?x=1",
            "/reset_counters",
            "/healthcheck/fail",
            "/drain_listeners",
            "/memory",
            "/init_dump",
            "/help",
            "/",
            "/stats/recentlookups",
            "/stats/prometheus/../../quitquitquit",
            "/stats/../config_dump",
            "//quitquitquit",
            "/./quitquitquit",
            "/ready/../logging?level=trace")) {
      for (String method : List.of("GET", "POST")) {
        String answer = scrape(method, path);
        assertThat(answer).as(method + " " + path).matches("(404|405|400) (?s).*");
        assertThat(answer).as(method + " " + path).doesNotContain("envoy_server", "OK\n");
      }
    }
    // an escaped slash is refused, not decoded into another page
    assertThat(scrape("/stats%2F..%2Fquitquitquit")).startsWith("400 ");
    // the served pages with another method
    assertThat(scrape("POST", "/stats/prometheus")).startsWith("405 ");
    assertThat(scrape("POST", "/ready")).startsWith("405 ");
    assertThat(request("-I", POD_METRICS + "/stats")).startsWith("405 ");
    // another Host, HTTP/2 without TLS, an absolute-form target, CONNECT: still the listener's
    for (String[] options :
        List.of(
            new String[] {"-H", "Host: 127.0.0.1:9901", POD_METRICS + "/config_dump"},
            new String[] {"--http2-prior-knowledge", POD_METRICS + "/config_dump"},
            new String[] {"--http2-prior-knowledge", "-X", "POST", POD_METRICS + "/quitquitquit"},
            new String[] {
              "--request-target", "http://127.0.0.1:9901/config_dump", POD_METRICS + "/"
            },
            new String[] {"-X", "CONNECT", "--request-target", "127.0.0.1:9901", POD_METRICS})) {
      assertThat(request(options))
          .as(String.join(" ", options))
          .matches("(404|405|400|403) (?s).*");
    }
    assertThat(request("--http2-prior-knowledge", POD_METRICS + "/stats/prometheus"))
        .containsPattern(LIVE);

    // nothing of it reached the admin: Envoy runs, untouched, at its log level
    assertThat(meshboot.isAlive()).isTrue();
    assertThat(Local.envoyUnder(meshboot.toHandle()).orElseThrow().pid()).isEqualTo(envoy);
    Netns inside = Objects.requireNonNull(pod);
    assertThat(inside.curl(5, "http://127.0.0.1:9901/ready")).isEqualTo("200 LIVE\n");
    // POST /logging without a level lists the loggers' levels: none was set to trace
    assertThat(inside.curl(5, "http://127.0.0.1:9901/logging", "-X", "POST"))
        .startsWith("200 ")
        .contains(": warning")
        .doesNotContain(": trace");
    // the admin itself, with every page, answers on the pod's loopback only
    assertThat(inside.curl(5, "http://127.0.0.1:9901/config_dump")).startsWith("200 {");
    assertThat(listening(inside)).contains("127.0.0.1:9901", "0.0.0.0:9901");
    assertThat(listening(inside).stream().filter(address -> address.endsWith(":9901")))
        .allMatch(address -> address.equals("127.0.0.1:9901") || address.equals("0.0.0.0:9901"));

    // it survives Envoy's restarts: part of the bootstrap every Envoy meshboot starts runs with
    Local.envoyUnder(meshboot.toHandle()).orElseThrow().destroyForcibly();
    Local.waitUntil(
        meshboot,
        () ->
            Local.envoyUnder(meshboot.toHandle()).map(ProcessHandle::pid).orElse(envoy) != envoy
                && scrape("/ready").equals("200 LIVE\n"),
        log,
        "the restarted Envoy LIVE through " + POD_METRICS,
        Duration.ofSeconds(60));
    assertThat(scrape("/stats/prometheus")).containsPattern(LIVE);
    assertThat(scrape("/config_dump")).startsWith("404 ");

    meshboot.destroy();
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Local.read(log)).isZero();
  }

  @Test
  void prometheusScrapesThePodAddressAndIngestsEnvoysSeries(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Process meshboot = run(tmp, log, Map.of());
    waitScrapable(meshboot, log);

    // the job of the App Mesh users' Prometheus: the pod's address, 9901, /stats/prometheus
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: appmesh-envoy
            metrics_path: /stats/prometheus
            static_configs:
              - targets: ["%s:9901"]
        """
            .formatted(POD_IP));
    Path prometheusLog = tmp.resolve("prometheus.log");
    Process prometheus =
        Objects.requireNonNull(monitoring)
            .start(
                new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:9090")
                    .redirectErrorStream(true)
                    .redirectOutput(prometheusLog.toFile()));
    Wait.until(
        "Prometheus to report its target up and to have ingested envoy_server_live",
        Duration.ofSeconds(60),
        Duration.ofMillis(250),
        () -> {
          JsonObject target = onlyTarget();
          return target != null
              && target.get("health").getAsString().equals("up")
              && !query("envoy_server_live{job=\"appmesh-envoy\"}").isEmpty();
        },
        prometheus::isAlive,
        () -> Local.read(prometheusLog) + "\n--- meshboot:\n" + Local.read(log));

    JsonObject target = Objects.requireNonNull(onlyTarget());
    assertThat(target.get("scrapeUrl").getAsString()).isEqualTo(POD_METRICS + "/stats/prometheus");
    assertThat(target.get("lastError").getAsString()).isEmpty();
    JsonArray live = query("envoy_server_live{job=\"appmesh-envoy\"}");
    assertThat(live.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString())
        .isEqualTo("1");
    // Envoy's series, with Envoy's labels (a cluster of the workshop node, by name)
    JsonArray series = query("count({job=\"appmesh-envoy\",__name__=~\"envoy_.+\"})");
    assertThat(
            Integer.parseInt(
                series.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString()))
        .isGreaterThan(300);
    assertThat(query("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"meshboot_xds\"}"))
        .isNotEmpty();

    // Prometheus keeps its connection open between scrapes: a stop's drain does not wait for it
    // (it counts the traffic listeners' connections only), and ends at once
    meshboot.destroy();
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Local.read(log)).isZero();
    assertThat(Local.read(log)).contains("no connections left; stopping Envoy");
  }

  @Test
  void withTheListenerOffThePodAddressIsRefusedAndTheAdminStaysPrivate(@TempDir Path tmp)
      throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Process meshboot = run(tmp, log, Map.of("MESHBOOT_METRICS_LISTENER", "false"));
    Netns inside = Objects.requireNonNull(pod);
    Local.waitUntil(
        meshboot,
        () -> inside.curl(5, "http://127.0.0.1:9901/ready").equals("200 LIVE\n"),
        log,
        "Envoy live",
        Duration.ofSeconds(60));
    assertThat(scrape("/stats/prometheus")).startsWith("000");
    assertThat(listening(inside).stream().filter(address -> address.endsWith(":9901")))
        .containsExactly("127.0.0.1:9901");
  }

  /**
   * The listener on another port (MESHBOOT_METRICS_PORT) and the admin on a unix socket: the
   * listener reaches the admin wherever it is.
   */
  @Test
  void theListenerMovesAndReachesAnAdminOnAUnixSocket(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Map<String, String> env = new HashMap<>();
    env.put("MESHBOOT_METRICS_PORT", "9911");
    env.put("ENVOY_ADMIN_MODE", "uds");
    env.put("ENVOY_ADMIN_UDS_PATH", tmp.resolve("admin.sock").toString());
    Process meshboot = run(tmp, log, env);
    Local.waitUntil(
        meshboot,
        () -> scrape("http://" + POD_IP + ":9911", "GET", "/ready").equals("200 LIVE\n"),
        log,
        "the metrics listener on 9911",
        Duration.ofSeconds(60));
    assertThat(scrape("http://" + POD_IP + ":9911", "GET", "/stats/prometheus"))
        .containsPattern(LIVE);
    assertThat(scrape("http://" + POD_IP + ":9911", "GET", "/config_dump")).startsWith("404 ");
    assertThat(scrape("/stats/prometheus")).startsWith("000");
  }

  /**
   * SO_REUSEPORT on the admin (the listener shares its port) must not let a second Envoy on the
   * same admin port bind beside the first and take half its admin's connections: meshboot refuses
   * to start it (exit 5), and the first one keeps its admin.
   */
  @Test
  void aSecondEnvoyOnTheSameAdminPortIsRefusedNotSilentlySharingIt(@TempDir Path tmp)
      throws Exception {
    Path log = tmp.resolve("meshboot.log");
    Process first = run(tmp, log, Map.of());
    waitScrapable(first, log);
    Path other = Files.createDirectory(tmp.resolve("second"));
    Path secondLog = other.resolve("meshboot.log");
    Process second = run(other, secondLog, Map.of());
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).as(Local.read(secondLog)).isTrue();
    assertThat(second.exitValue()).as(Local.read(secondLog)).isEqualTo(5);
    assertThat(Local.read(secondLog))
        .contains("Envoy's admin address 127.0.0.1:9901 is already in use")
        .contains("ENVOY_ADMIN_ACCESS_PORT");
    assertThat(first.isAlive()).isTrue();
    assertThat(Objects.requireNonNull(pod).curl(5, "http://127.0.0.1:9901/ready"))
        .isEqualTo("200 LIVE\n");
  }

  /**
   * The same through the launcher's launch record, whose Envoy starts before the JVM (and binds its
   * admin beside another one's): the JVM finds two sockets on the admin's address and stops.
   */
  @Test
  void anEnvoyFromALaunchRecordBesideAnotherOnTheAdminPortIsStopped(@TempDir Path tmp)
      throws Exception {
    Netns inside = Objects.requireNonNull(pod);
    Map<String, String> env = Local.workshopFrontend(WORKSHOP, tmp);
    Path recorded = tmp.resolve("recorded.log");
    Process first = Local.launcherRun(tmp, recorded, env, inside);
    waitScrapable(first, recorded);
    first.destroy();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as(Local.read(recorded)).isZero();

    Path other = Files.createDirectory(tmp.resolve("other"));
    Path otherLog = other.resolve("meshboot.log");
    Process holder = run(other, otherLog, Map.of());
    waitScrapable(holder, otherLog);
    Path log = tmp.resolve("second.log");
    Process restarted = Local.launcherRun(tmp, log, env, inside);
    assertThat(restarted.waitFor(60, TimeUnit.SECONDS)).as(Local.read(log)).isTrue();
    assertThat(Local.read(log))
        .contains("envoy was started by the launcher")
        .contains("Envoy's admin address 127.0.0.1:9901 is shared with another socket");
    assertThat(restarted.exitValue()).as(Local.read(log)).isEqualTo(5);
    assertThat(holder.isAlive()).isTrue();
  }

  private Process run(Path tmp, Path log, Map<String, String> extra) throws IOException {
    Map<String, String> env = Local.workshopFrontend(WORKSHOP, tmp);
    env.putAll(extra);
    return Local.meshbootRun(tmp, log, env, Objects.requireNonNull(pod));
  }

  private void waitScrapable(Process meshboot, Path log) throws Exception {
    Local.waitUntil(
        meshboot,
        () -> scrape("/ready").equals("200 LIVE\n"),
        log,
        "a LIVE Envoy through " + POD_METRICS,
        Duration.ofSeconds(60));
  }

  private String scrape(String path) {
    return scrape("GET", path);
  }

  private String scrape(String method, String path) {
    return scrape(POD_METRICS, method, path);
  }

  /** {@code "<status> <body>"} of a request from the monitoring namespace, path sent as is. */
  private String scrape(String base, String method, String path) {
    return Objects.requireNonNull(monitoring).curl(10, base + path, "--path-as-is", "-X", method);
  }

  /** {@code "<status> <body>"} of curl with {@code options} (the URL last), from outside. */
  private String request(String... options) {
    String[] before = Arrays.copyOf(options, options.length - 1);
    return Objects.requireNonNull(monitoring).curl(10, options[options.length - 1], before);
  }

  /** The local addresses of the TCP sockets listening in {@code netns}. */
  private static List<String> listening(Netns netns) throws IOException {
    Process ss = netns.start(new ProcessBuilder("ss", "-Hltn").redirectErrorStream(true));
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return out.lines().map(line -> line.trim().split("\\s+", -1)[3]).toList();
  }

  /** Prometheus's one active target, or null before it has one. */
  private @Nullable JsonObject onlyTarget() {
    String answer = api("/api/v1/targets");
    if (!answer.startsWith("200 ")) {
      return null;
    }
    JsonArray targets =
        JsonParser.parseString(answer.substring(4))
            .getAsJsonObject()
            .getAsJsonObject("data")
            .getAsJsonArray("activeTargets");
    return targets.size() == 1 ? targets.get(0).getAsJsonObject() : null;
  }

  /** The result vector of an instant query, empty when Prometheus does not answer. */
  private JsonArray query(String promql) {
    String answer = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!answer.startsWith("200 ")) {
      return new JsonArray();
    }
    return JsonParser.parseString(answer.substring(4))
        .getAsJsonObject()
        .getAsJsonObject("data")
        .getAsJsonArray("result");
  }

  private String api(String path) {
    return Objects.requireNonNull(monitoring).curl(5, "http://127.0.0.1:9090" + path);
  }
}
