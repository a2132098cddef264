package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.it.MeshUpstream.Response;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.load.MeshLoader;
import dev.meshboot.mesh.xds.Translator;
import dev.meshboot.testing.TestPki;
import dev.meshboot.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between two mesh nodes end to end: the fixture mesh {@code tls-mesh} loaded by the
 * real {@link MeshLoader} with file certificates made for the test, its nodes {@code web} and
 * {@code api} each a real Envoy in a network namespace of its own, the two namespaces linked.
 * {@code web}'s application calls {@code api.tls.local}; App Mesh's interception sends it to web's
 * egress, whose client policy presents web's certificate and trusts the mesh CA; api's namespace
 * sends inbound 8080 to its ingress listener, whose STRICT TLS asks for a client certificate and
 * accepts only the subject alternative name {@code client.tls.local}, and forwards to api's
 * application on loopback.
 */
class MeshXdsTlsIT {

  static final String WEB = "mesh/tls-mesh/virtualNode/web";
  static final String API = "mesh/tls-mesh/virtualNode/api";

  @Test
  void mutualTlsBetweenTwoNodesAndAClientWithTheWrongCertificateRefused(@TempDir Path tmp)
      throws Exception {
    TestPki pki = MeshFixtureFiles.pki();
    TestPki.Issued server = pki.issued("server");
    try (Netns web = Netns.create();
        Netns api = Netns.create();
        MeshXdsServer xds = MeshXdsServer.start(tmp.resolve("xds.sock"))) {
      Netns.link(web, "10.77.0.1", api, "10.77.0.2");
      web.hosts(Map.of("api.tls.local", List.of("10.77.0.2")));
      web.exec(
          "iptables",
          "-t",
          "nat",
          "-A",
          "OUTPUT",
          "-p",
          "tcp",
          "-m",
          "owner",
          "!",
          "--gid-owner",
          "1337",
          "-j",
          "REDIRECT",
          "--to-ports",
          "15001");
      api.exec(
          "iptables",
          "-t",
          "nat",
          "-A",
          "PREROUTING",
          "-p",
          "tcp",
          "--dport",
          "8080",
          "-j",
          "REDIRECT",
          "--to-ports",
          "15000");
      try (MeshUpstream app =
          MeshUpstream.start(api, "api", "127.0.0.1", 8080, (r, n) -> MeshUpstream.ok())) {
        Map<NodeKey, NodeResources> nodes = Translator.translate(load(tmp, pki, "client"));
        serve(xds, nodes, WEB, server, pki);
        serve(xds, nodes, API, server, pki);
        MeshEnvoy webEnvoy = MeshEnvoy.start(tmp.resolve("web"), web, WEB, xds, 1337);
        MeshEnvoy apiEnvoy = MeshEnvoy.start(tmp.resolve("api"), api, API, xds, 1337);
        webEnvoy.awaitLive();
        apiEnvoy.awaitLive();

        Response response =
            MeshUpstream.send(web, "10.77.0.2", 8080, "GET", "api.tls.local", "/hello", Map.of());
        assertThat(response).as(webEnvoy.log()).isEqualTo(new Response(200, "api"));
        assertThat(app.count("/hello")).isEqualTo(1);
        assertThat(apiEnvoy.stats(".*15000.*ssl\\.handshake"))
            .as("api's TLS handshakes")
            .isNotEmpty()
            .allSatisfy((name, value) -> assertThat(value).isPositive());

        // web now presents a certificate of the same CA for another name: api refuses it
        serve(xds, Translator.translate(load(tmp, pki, "rogue")), WEB, server, pki);
        Wait.until(
            "api refusing web's new certificate",
            Duration.ofSeconds(10),
            () -> {
              MeshUpstream.send(web, "10.77.0.2", 8080, "GET", "api.tls.local", "/probe", Map.of());
              return apiEnvoy.stats(".*15000.*ssl\\.fail_verify_san").values().stream()
                      .mapToLong(Long::longValue)
                      .sum()
                  > 0;
            });
        Response refused =
            MeshUpstream.send(web, "10.77.0.2", 8080, "GET", "api.tls.local", "/again", Map.of());
        assertThat(refused.status()).isEqualTo(503);
        assertThat(app.count("/again")).isZero();
        webEnvoy.stop();
        apiEnvoy.stop();
      }
    }
  }

  /** The fixture with its certificate paths, web's client certificate being {@code client}. */
  private static MeshDefinition load(Path tmp, TestPki pki, String client) throws Exception {
    return MeshFixtureFiles.load(
        "tls-mesh",
        tmp.resolve("definition-" + client),
        text ->
            text.replace("@CERTS@/client.", "@CERTS@/" + client + ".")
                .replace("@CERTS@", pki.dir().toString()));
  }

  private static void serve(
      MeshXdsServer xds,
      Map<NodeKey, NodeResources> nodes,
      String id,
      TestPki.Issued server,
      TestPki pki)
      throws Exception {
    NodeResources resources = MeshFixtureFiles.node(nodes, id);
    xds.serve(id, resources, MeshXdsEnvoyIT.secrets(resources, server, pki.caFile()));
  }
}
