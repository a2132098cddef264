package dev.meshboot.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code meshboot run} (a real process with a real Envoy) whose Envoy admin and management API
 * are on loopback TCP ports, and what the relay tests ask of it: {@code /status}, Envoy's admin,
 * waits that fail with meshboot's log.
 */
final class RelayRun implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  final Process process;
  final Path log;
  final int admin;
  final int api;

  private RelayRun(Process process, Path log, int admin, int api) {
    this.process = process;
    this.log = log;
    this.admin = admin;
    this.api = api;
  }

  /** Starts {@code meshboot run} with {@code env} (e.g. {@link SigV4Upstream#env}); log in tmp. */
  static RelayRun start(Path tmp, Map<String, String> env) throws IOException {
    return start(tmp, env, Local.freePort());
  }

  /** As {@link #start(Path, Map)}, with Envoy's admin on {@code admin}. */
  static RelayRun start(Path tmp, Map<String, String> env, int admin) throws IOException {
    int api = Local.freePort();
    Map<String, String> all = new HashMap<>(env);
    all.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin));
    all.put("APPNET_AGENT_ADMIN_MODE", "tcp");
    all.put("APPNET_AGENT_HTTP_PORT", Integer.toString(api));
    Path log = tmp.resolve("meshboot.log");
    return new RelayRun(Local.meshbootRun(tmp, log, all), log, admin, api);
  }

  /** meshboot's {@code /status}, parsed; waits out the API's rate limit (10 a second). */
  JsonObject status() throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response = send(api, "/status");
      if (response.statusCode() != 429 || attempt == 10) {
        try {
          return JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
          throw new AssertionError(
              "/status answered " + response.statusCode() + " " + response.body(), e);
        }
      }
      Thread.sleep(100);
    }
  }

  /** {@code /status}'s {@code xdsRelay}. */
  JsonObject relay() throws IOException, InterruptedException {
    return status().getAsJsonObject("xdsRelay");
  }

  /** The version of {@code typeUrl} Envoy last ACKed, per {@code /status}; "" when none. */
  String acked(String typeUrl) throws IOException, InterruptedException {
    JsonObject type = relay().getAsJsonObject("acked").getAsJsonObject(typeUrl);
    return type == null ? "" : type.get("version").getAsString();
  }

  /** A GET on Envoy's admin; a failure to connect is the answer, in words. */
  String envoy(String path) throws InterruptedException {
    try {
      return get(admin, path);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * Looks every 200 ms (the management API takes 10 requests a second) for up to 30 s; fails with
   * meshboot's log when it dies or the time is up.
   */
  void waitUntil(Wait.Check check, String what) throws Exception {
    Wait.until(
        what,
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        check,
        process::isAlive,
        () -> Local.read(log));
  }

  /** Waits until Envoy is LIVE with the {@code echo} cluster and the {@code ingress} listener. */
  void waitConfigured() throws Exception {
    waitUntil(this::configured, "Envoy LIVE with the cluster and listener of the upstream");
  }

  /** Whether Envoy is LIVE and has the {@code echo} cluster and the {@code ingress} listener. */
  boolean configured() throws InterruptedException {
    return envoy("/ready").strip().equals("LIVE")
        && envoy("/clusters").contains("echo::")
        && envoy("/listeners").contains("ingress::");
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** Kills meshboot and its Envoy. */
  @Override
  public void close() {
    try {
      Local.stop(process, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String get(int port, String path) throws IOException, InterruptedException {
    return send(port, path).body();
  }

  private static HttpResponse<String> send(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
