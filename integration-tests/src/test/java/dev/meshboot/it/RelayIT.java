package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.xds.SigV4Verifier;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * A stock Envoy reaches a SigV4-protected management server through meshboot's relay: Envoy's ADS
 * goes to the relay's unix socket, the relay signs each upstream stream and speaks TLS to the
 * server, and no credential shows up in the bootstrap, the logs or {@code /status}.
 */
class RelayIT {

  static final String KEY_ID = "AKIDMESHBOOTRELAYIT";
  static final String SECRET = "relay-it-secret-access-key-0123456789";
  static final String TOKEN = "relay-it-session-token-abcdefghijklmnop";

  private Process meshboot;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, server);
  }

  /** A self-signed certificate for 127.0.0.1 (keytool), as the server's key and the client's CA. */
  private static KeyManagerFactory certificate(Path dir) throws Exception {
    Path keystore = dir.resolve("upstream.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "upstream",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=meshboot test upstream",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "upstream",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        dir.resolve("ca.pem").toString());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    return keys;
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
  }

  @Test
  void envoyReachesASigV4ProtectedServerThroughTheRelay(@TempDir Path tmp) throws Exception {
    AwsCredentialsIdentity identity = AwsSessionCredentialsIdentity.create(KEY_ID, SECRET, TOKEN);
    SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
    cache.setSnapshot("mesh", ControlPlaneIT.snapshot());
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TlsServerCredentials.newBuilder()
                    .keyManager(certificate(tmp).getKeyManagers())
                    .build())
            .addService(
                ServerInterceptors.intercept(
                    new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl(),
                    new SigV4Verifier(
                        "us-west-2", "appmesh", Map.of(KEY_ID, identity), Set.of(KEY_ID))))
            .build()
            .start();
    int admin = Local.freePort();
    int api = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    Path bootstrap = tmp.resolve("envoy.json"); // where Local.meshbootRun puts it
    Map<String, String> env = new HashMap<>();
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + server.getPort());
    env.put("MESHBOOT_XDS_MODE", "relay");
    env.put("MESHBOOT_XDS_TLS", "true");
    env.put("MESHBOOT_XDS_CA_FILE", tmp.resolve("ca.pem").toString());
    env.put("MESHBOOT_XDS_RELAY_SOCKET", tmp.resolve("relay.sock").toString());
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_ACCESS_KEY_ID", KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", SECRET);
    env.put("AWS_SESSION_TOKEN", TOKEN);
    // GetCallerIdentity for /status must stay on loopback: nothing listens there, so no ARN.
    env.put("MESHBOOT_STS_ENDPOINT", "http://127.0.0.1:1");
    env.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin));
    env.put("APPNET_AGENT_ADMIN_MODE", "tcp");
    env.put("APPNET_AGENT_HTTP_PORT", Integer.toString(api));
    env.put("MESHBOOT_LOG_LEVEL", "debug");
    meshboot = Local.meshbootRun(tmp, log, env);

    Map<String, String> probe =
        Map.of(
            "APPNET_AGENT_HTTP_PORT", Integer.toString(api),
            "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1",
            "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S", "30");
    Cli.Result waited = Cli.run(probe, "wait-ready");
    assertThat(waited.exitCode()).as(waited.stderr() + Files.readString(log)).isZero();
    Cli.Result status = Cli.run(probe, "healthcheck");
    assertThat(status.exitCode()).as(status.stdout()).isZero();
    assertThat(status.stdout())
        .contains("\"xdsRelay\"")
        .contains("\"connected\": true")
        .contains("\"credentials\"")
        .contains("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    assertThat(Files.readString(bootstrap)).contains("meshboot_xds_relay");

    meshboot.destroy();
    assertThat(meshboot.waitFor(20, TimeUnit.SECONDS)).isTrue();
    for (String text :
        List.of(Files.readString(log), Files.readString(bootstrap), status.stdout())) {
      assertThat(text).doesNotContain(SECRET).doesNotContain(TOKEN);
    }
  }
}
