package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.aws.FakeSts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials that come from STS under the relay, with the release's JRE: web identity (EKS IRSA: a
 * token file and a role) and a role assumed on top of static keys ({@code
 * MESHBOOT_ASSUME_ROLE_ARN}). STS (on loopback, {@code MESHBOOT_STS_ENDPOINT}) answers in XML,
 * which the AWS SDK parses with {@code javax.xml.stream}: a JRE without java.xml fails here, and
 * nowhere else (the container endpoint and instance metadata answer in JSON). The upstream accepts
 * only the keys STS handed out, so Envoy gets its configuration only when the relay signs with
 * them.
 */
class RelayStsCredentialsIT {

  static final String ROLE = "arn:aws:iam::123456789012:role/mesh";
  static final String WEB_IDENTITY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.irsa-it-token.signature";
  static final String BASE_KEY = "AKIDASSUMEROLEBASE";
  static final String BASE_SECRET = "assume-role-it-base-secret";

  private RelayRun meshboot;
  private SigV4Upstream upstream;
  private FakeSts sts;

  @AfterEach
  void stop() {
    if (meshboot != null) {
      meshboot.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (sts != null) {
      sts.close();
    }
  }

  @Test
  void webIdentityKeysFromStsSignTheRelayedStream(@TempDir Path tmp) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), WEB_IDENTITY_TOKEN + "\n");
    Map<String, String> env = start(tmp);
    env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
    env.put("AWS_ROLE_ARN", ROLE);

    relaysWithKeysFromSts(tmp, env, "AssumeRoleWithWebIdentity", "ASIAWEB");
  }

  @Test
  void anAssumedRolesKeysFromStsSignTheRelayedStream(@TempDir Path tmp) throws Exception {
    Map<String, String> env = start(tmp);
    // The upstream does not know this key: only the role's keys open a stream.
    env.put("AWS_ACCESS_KEY_ID", BASE_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", BASE_SECRET);
    env.put("MESHBOOT_ASSUME_ROLE_ARN", ROLE);

    relaysWithKeysFromSts(tmp, env, "AssumeRole", "ASIAROLE");
    assertThat(meshboot.output()).doesNotContain(BASE_SECRET);
  }

  /**
   * Starts the upstream and STS, which tells the upstream every key it hands out; returns the relay
   * environment pointing at both, without credentials.
   */
  private Map<String, String> start(Path tmp) throws Exception {
    upstream = SigV4Upstream.create(tmp, ControlPlaneIT.snapshot()).start();
    sts = new FakeSts().onIssue(key -> upstream.accept(key.key(), key.expiry()));
    Map<String, String> env = upstream.relayEnv(tmp);
    env.put("MESHBOOT_STS_ENDPOINT", sts.url());
    return env;
  }

  private void relaysWithKeysFromSts(
      Path tmp, Map<String, String> env, String action, String keyPrefix) throws Exception {
    meshboot = RelayRun.start(tmp, env);
    meshboot.waitConfigured();

    assertThat(sts.actions()).as("the calls meshboot made to STS").contains(action);
    List<String> keys = upstream.acceptedKeys();
    assertThat(keys)
        .as("keys of the streams the upstream accepted")
        .isNotEmpty()
        .allSatisfy(key -> assertThat(key).startsWith(keyPrefix));
    assertThat(upstream.refusals()).as("streams the upstream refused").isEmpty();
    assertThat(meshboot.output())
        .as("meshboot's log: no class missing from the JRE, no secret")
        .doesNotContain("NoClassDefFoundError")
        .doesNotContain("sts-secret-")
        .doesNotContain(WEB_IDENTITY_TOKEN);
  }
}
