package dev.meshboot.it;

import static dev.meshboot.it.EksManifest.asMap;
import static dev.meshboot.it.EksManifest.env;
import static dev.meshboot.it.EksManifest.map;
import static dev.meshboot.it.EksManifest.strings;
import static dev.meshboot.it.EksPodExec.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pod of {@code platforms/eks/appmesh-pod.yaml} (and of its classic variant) on this machine,
 * built from the manifest itself: a network namespace the test creates is the pod, a second one the
 * rest of the cluster; each container gets a mount namespace of its own whose root is read-only
 * ({@code readOnlyRootFilesystem}) but for its volume mounts (the emptyDirs, the mesh ConfigMap),
 * at the manifest's paths. The init container's command runs as root with {@code NET_ADMIN} as its
 * only capability and its {@code APPMESH_*} values; the sidecar's ({@code meshboot run}) as UID
 * 1337 with its variables, its control plane serving the ConfigMap; then the gate (the classic
 * sidecar's postStart hook, the startup probe) and the liveness probe run as the kubelet would run
 * them, before the application's traffic starts. The test is the application (curl in the pod,
 * resolving names through the pod's hosts file) and its callers (curl in the other namespace), and
 * reads Envoy's counters on its admin socket: the application's call to a virtual service name goes
 * through the egress listener and Envoy's own connection is not sent back to it; an ignored address
 * (the EKS Pod Identity agent's) is reached directly; a call to the application's port arrives
 * through the ingress listener; and DROP_ALL refuses an unknown destination in Envoy, which
 * accepted the connection, while the network would have delivered it.
 */
class EksPodIT {

  private static final String POD_IP = "10.78.0.1";
  private static final String PEER_IP = "10.78.0.2";
  private static final String POD_IDENTITY = "169.254.170.23";
  private static final String BACKEND = "backend.demo.svc.cluster.local";
  private static final String EGRESS = "listener.0.0.0.0_15001.";
  private static final String INGRESS = "listener.0.0.0.0_15000.";

  private final List<AutoCloseable> closing = new ArrayList<>();
  private @Nullable Path work;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closing.reversed()) {
      closeable.close();
    }
    if (work != null) {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"appmesh-pod.yaml", "appmesh-pod-classic.yaml"})
  void thePodsTrafficGoesThroughEnvoyAsAppMeshsDid(String manifest) throws Exception {
    EksManifest kit = EksManifest.read(manifest);
    Map<String, Object> spec = kit.podSpec();
    Map<String, Object> proxyinit = kit.container("initContainers", "proxyinit");
    // a native sidecar (an init container) or the classic one (a container)
    Map<String, Object> sidecar =
        kit.has("initContainers", "envoy")
            ? kit.container("initContainers", "envoy")
            : kit.container("containers", "envoy");

    Netns pod = Netns.create();
    closing.add(pod);
    Netns peer = Netns.create();
    closing.add(peer);
    Netns.link(pod, POD_IP, peer, PEER_IP);
    peer.exec("ip", "addr", "add", POD_IDENTITY + "/32", "dev", "v" + peer.name());
    pod.exec("ip", "route", "add", POD_IDENTITY + "/32", "dev", "v" + pod.name());
    // the cluster's DNS, for the application and for Envoy
    pod.hosts(Map.of(BACKEND, List.of(PEER_IP)));
    MeshUpstream backend = upstream(peer, "backend", PEER_IP, 9080);
    MeshUpstream outside = upstream(peer, "outside", PEER_IP, 9999);
    MeshUpstream podIdentity = upstream(peer, "pod-identity", POD_IDENTITY, 80);
    MeshUpstream app = upstream(pod, "app", "0.0.0.0", 8080);

    // the pod's volumes in a directory of the test's (outside /tmp, which a container's volume
    // replaces), each container's file system read-only but for its volume mounts
    work =
        Files.createTempDirectory(
            Path.of("target").toAbsolutePath(),
            "eks-pod",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    EksPodFileSystem files = new EksPodFileSystem(kit, work);
    closing.add(files);

    // the init container: root, NET_ADMIN its only capability
    EksPodExec.Run init =
        run(
            pod,
            concat(
                files.prefix(proxyinit),
                List.of("setpriv", "--bounding-set=-all,+net_admin", "--inh-caps=-all", "--")),
            env(proxyinit),
            strings(proxyinit.get("command")),
            60);
    assertThat(init.code()).as(init.output()).isZero();

    // the sidecar: UID 1337, the manifest's variables, its volumes
    Map<String, String> sidecarEnv = env(sidecar);
    sidecarEnv.put("ENVOY_BIN", Envoy.path().toString());
    sidecarEnv.put("AWS_EC2_METADATA_DISABLED", "true"); // no instance metadata here
    List<String> inSidecar = concat(files.prefix(sidecar), asProxy());
    Path log = work.resolve("sidecar.log");
    long started = System.nanoTime();
    Process meshboot =
        pod.start(
            EksPodExec.builder(inSidecar, sidecarEnv, strings(sidecar.get("command")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()));

    // the gate, run as the kubelet runs it, before the application starts: the classic
    // sidecar's postStart hook, then the startup probe (retried up to its failure threshold)
    if (sidecar.get("lifecycle") instanceof Map<?, ?> lifecycle
        && lifecycle.get("postStart") instanceof Map<?, ?> postStart) {
      List<String> hook = strings(asMap(asMap(postStart).get("exec")).get("command"));
      EksPodExec.Run held = run(pod, inSidecar, sidecarEnv, hook, 200);
      assertThat(held.code()).as(held.output() + "\n" + Local.read(log)).isZero();
    }
    Map<String, Object> startup = map(sidecar, "startupProbe");
    List<String> probe = strings(map(startup, "exec").get("command"));
    int attempts = ((Number) startup.get("failureThreshold")).intValue();
    int timeout = ((Number) startup.get("timeoutSeconds")).intValue();
    EksPodExec.Run ready = run(pod, inSidecar, sidecarEnv, probe, timeout);
    for (int i = 1; ready.code() != 0 && i < attempts && meshboot.isAlive(); i++) {
      ready = run(pod, inSidecar, sidecarEnv, probe, timeout);
    }
    assertThat(ready.code()).as(ready.output() + "\n" + Local.read(log)).isZero();
    long gated = System.nanoTime();
    List<String> liveness = strings(map(map(sidecar, "livenessProbe"), "exec").get("command"));
    EksPodExec.Run live = run(pod, inSidecar, sidecarEnv, liveness, timeout);
    assertThat(live.code()).as(live.output()).isZero();
    System.out.printf(
        "EksPodIT %s: the application starts %d ms after the sidecar; a liveness probe took %d ms%n",
        manifest,
        TimeUnit.NANOSECONDS.toMillis(gated - started),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gated));
    Path admin = files.outside(sidecar, sidecarEnv.get("ENVOY_ADMIN_UDS_PATH"));
    Wait.until(
        "Envoy's listeners",
        Duration.ofSeconds(20),
        () ->
            stats(pod, admin).containsKey(INGRESS + "downstream_cx_total")
                && stats(pod, admin).containsKey(EGRESS + "downstream_cx_total"));

    // the application calls the virtual service by name: Envoy's egress listener takes it, and
    // Envoy's own connection (UID 1337) goes out, not back to 15001
    Map<String, Long> before = stats(pod, admin);
    assertThat(pod.curl(5, "http://" + BACKEND + ":9080/egress")).isEqualTo("200 backend");
    Map<String, Long> after = stats(pod, admin);
    assertThat(delta(before, after, EGRESS + "downstream_cx_total"))
        .as("egress connections")
        .isEqualTo(1);
    assertThat(delta(before, after, "cluster.cds_egress_demo_backend_http_9080.upstream_rq_total"))
        .isEqualTo(1);
    assertThat(backend.requests(r -> r.path().equals("/egress")))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.headers())
                    .containsKey("x-request-id")
                    .containsEntry("host", BACKEND + ":9080"));

    // the EKS Pod Identity agent's address is ignored: straight to it, Envoy sees nothing
    before = stats(pod, admin);
    assertThat(pod.curl(5, "http://" + POD_IDENTITY + "/v1/credentials"))
        .isEqualTo("200 pod-identity");
    after = stats(pod, admin);
    assertThat(delta(before, after, EGRESS + "downstream_cx_total")).isZero();
    assertThat(podIdentity.requests(r -> true))
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).doesNotContainKey("x-request-id"));

    // a caller in the cluster reaches the application's port through the ingress listener
    before = stats(pod, admin);
    assertThat(peer.curl(5, "http://" + POD_IP + ":8080/inbound")).isEqualTo("200 app");
    after = stats(pod, admin);
    assertThat(delta(before, after, INGRESS + "downstream_cx_total"))
        .as("ingress connections")
        .isEqualTo(1);
    assertThat(delta(before, after, "cluster.cds_ingress_demo_web_http_8080.upstream_rq_total"))
        .isEqualTo(1);
    assertThat(app.requests(r -> r.path().equals("/inbound")))
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).containsKey("x-request-id"));

    // DROP_ALL: a destination the mesh does not know is accepted by Envoy and closed, no filter
    // chain matching its port; the network would have delivered it (Envoy's UID is not redirected)
    before = stats(pod, admin);
    // curl connected, then the connection closed without a reply: exit 52 (closed) or 56 (reset,
    // when the request was already on its way); a refused connection would be 7
    EksPodExec.Run refused =
        run(
            pod,
            List.of(),
            Map.of(),
            List.of("curl", "-s", "-m", "5", "http://" + PEER_IP + ":9999/unknown"),
            10);
    assertThat(refused.code()).as(refused.output()).isIn(52, 56);
    after = stats(pod, admin);
    Map<String, Long> changed = new java.util.TreeMap<>();
    for (String name : after.keySet()) {
      if (name.startsWith(EGRESS) && delta(before, after, name) != 0) {
        changed.put(name, delta(before, after, name));
      }
    }
    assertThat(changed).isEqualTo(Map.of(EGRESS + "no_filter_chain_match", 1L));
    assertThat(outside.requests(r -> true)).isEmpty();
    EksPodExec.Run direct =
        run(
            pod,
            asProxy(),
            Map.of(),
            List.of("curl", "-s", "-m", "5", "http://" + PEER_IP + ":9999/direct"),
            10);
    assertThat(direct.output()).isEqualTo("outside");
    assertThat(meshboot.isAlive()).as(Local.read(log)).isTrue();

    // deletion: the kubelet's SIGTERM to the sidecar; it drains Envoy and exits 0 well within
    // the pod's grace period, Envoy with it
    ProcessHandle envoy = Local.envoyUnder(meshboot.toHandle()).orElseThrow();
    int grace = ((Number) spec.get("terminationGracePeriodSeconds")).intValue();
    long stopping = System.nanoTime();
    meshboot.destroy();
    assertThat(meshboot.waitFor(grace, TimeUnit.SECONDS)).as(Local.read(log)).isTrue();
    assertThat(meshboot.exitValue()).as(Local.read(log)).isZero();
    assertThat(envoy.isAlive()).isFalse();
    assertThat(Local.read(log)).contains("draining inbound listeners");
    System.out.printf(
        "EksPodIT %s: the sidecar stopped %d ms after SIGTERM%n",
        manifest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
  }

  private MeshUpstream upstream(Netns netns, String name, String ip, int port) throws Exception {
    MeshUpstream upstream = MeshUpstream.start(netns, name, ip, port, (r, n) -> MeshUpstream.ok());
    closing.add(upstream);
    return upstream;
  }

  /** The sidecar's identity: {@code runAsUser} and {@code runAsGroup} 1337, no other groups. */
  private static List<String> asProxy() {
    return List.of("setpriv", "--reuid=1337", "--regid=1337", "--clear-groups", "--");
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  /** Envoy's counters and gauges, read on its admin socket from inside the pod. */
  private static Map<String, Long> stats(Netns pod, Path admin) {
    String answer = pod.curl(5, "http://admin/stats", "--unix-socket", admin.toString());
    assertThat(answer).startsWith("200 ");
    Map<String, Long> stats = new HashMap<>();
    Matcher line = Pattern.compile("(?m)^([^:\\s]+): (\\d+)$").matcher(answer.substring(4));
    while (line.find()) {
      stats.put(line.group(1), Long.parseUnsignedLong(line.group(2)));
    }
    return stats;
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
    assertThat(after).containsKey(name);
    return after.get(name) - before.getOrDefault(name, 0L);
  }
}
