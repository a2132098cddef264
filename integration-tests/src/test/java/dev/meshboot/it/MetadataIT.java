package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.aws.FakeImds;
import dev.meshboot.aws.FakeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshboot bootstrap} as a fresh process (the shaded jar) against loopback fakes of ECS task
 * metadata and IMDSv2, its result judged by the real Envoy.
 */
class MetadataIT {

  static final String TASK =
      """
      {"Cluster":"arn:aws:ecs:eu-central-1:111122223333:cluster/shop",
       "TaskARN":"arn:aws:ecs:eu-central-1:111122223333:task/shop/8d1f",
       "LaunchType":"EC2","AvailabilityZone":"eu-central-1b","Limits":{"CPU":1,"Memory":2048}}""";

  record Run(int exitCode, String log, Duration took) {}

  static Run bootstrap(Path tmp, Path out, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", tmp.toString());
    env.put("ENVOY_BIN", Envoy.path().toString());
    env.put(
        "APPMESH_RESOURCE_ARN",
        "arn:aws:appmesh:eu-central-1:111122223333:mesh/shop/virtualNode/cart");
    env.putAll(extra);
    Path log = tmp.resolve("bootstrap.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    ReleaseJava.java(),
                    "-jar",
                    System.getProperty("meshboot.jar"),
                    "bootstrap",
                    "-o",
                    out.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    long start = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("meshboot bootstrap hung:\n" + Files.readString(log));
    }
    return new Run(
        process.exitValue(), Files.readString(log), Duration.ofNanos(System.nanoTime() - start));
  }

  static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  @Test
  void regionAndLocalityComeFromTheMetadataServicesAndEnvoyAcceptsTheResult(@TempDir Path tmp)
      throws Exception {
    try (FakeServer task =
            new FakeServer().route("GET", "/v4/it/task", request -> FakeServer.Answer.json(TASK));
        FakeImds imds = new FakeImds("eu-central-1").placement("eu-central-1b", "euc1-az3")) {
      Path out = tmp.resolve("envoy.json");
      Run run =
          bootstrap(
              tmp,
              out,
              Map.of(
                  "AWS_EXECUTION_ENV",
                  "AWS_ECS_EC2",
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/it",
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                  imds.url()));
      assertThat(run.exitCode()).as(run.log()).isZero();
      assertThat(run.log())
          .contains(
              "xds region=eu-central-1 from ECS task metadata at "
                  + task.url()
                  + "/v4/it/task (ECS_CONTAINER_METADATA_URI_V4), availability zone eu-central-1b")
          .doesNotContain("WARN");
      // IMDSv2: the session token came first and every GET carried it.
      assertThat(imds.server.requests.getFirst().path()).isEqualTo("/latest/api/token");
      assertThat(imds.refused).hasValue(0);

      JsonObject node = json(out).getAsJsonObject("node");
      assertThat(node.getAsJsonObject("locality").toString())
          .isEqualTo("{\"region\":\"eu-central-1\",\"zone\":\"euc1-az3\"}");
      JsonObject platform =
          node.getAsJsonObject("metadata").getAsJsonObject("aws.appmesh.platformInfo");
      assertThat(platform.get("AvailabilityZone").getAsString()).isEqualTo("eu-central-1b");
      assertThat(platform.get("AvailabilityZoneID").getAsString()).isEqualTo("euc1-az3");
      assertThat(platform.getAsJsonObject("ecsPlatformInfo").get("ecsTaskArn").getAsString())
          .isEqualTo("arn:aws:ecs:eu-central-1:111122223333:task/shop/8d1f");
      assertThat(Files.readString(out))
          .contains("\"upstream\": \"appmesh-envoy-management.eu-central-1.amazonaws.com:443\"");

      Cli.Result validated =
          Cli.run(
              Map.of("ENVOY_BIN", Envoy.path().toString()),
              "validate",
              "--require-envoy",
              out.toString());
      assertThat(validated.exitCode()).as(validated.stdout() + validated.stderr()).isZero();
      assertThat(validated.stdout()).contains("accepted by " + Envoy.path());
    }
  }

  @Test
  void aHangingTaskMetadataEndpointCostsOneTimeoutAndOneWarning(@TempDir Path tmp)
      throws Exception {
    Path out = tmp.resolve("envoy.json");
    Run quick =
        bootstrap(
            tmp, out, Map.of("AWS_REGION", "eu-central-1", "AWS_EC2_METADATA_DISABLED", "true"));
    assertThat(quick.exitCode()).as(quick.log()).isZero();
    try (FakeServer task = new FakeServer().hanging()) {
      Run run =
          bootstrap(
              tmp,
              out,
              Map.of(
                  "AWS_REGION",
                  "eu-central-1",
                  "AWS_EXECUTION_ENV",
                  "AWS_ECS_FARGATE",
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/it"));
      assertThat(run.exitCode()).as(run.log()).isZero();
      assertThat(run.log().lines().filter(line -> line.contains(" WARN ")))
          .singleElement()
          .asString()
          .contains("node metadata goes without this source")
          .contains("ECS task metadata at " + task.url() + "/v4/it/task")
          .contains("no answer within 2s");
      // The deadline, not a hang: at most about 2 s more than the same bootstrap without it.
      assertThat(run.took()).isLessThan(quick.took().plus(Duration.ofSeconds(4)));
      JsonObject ecs =
          json(out)
              .getAsJsonObject("node")
              .getAsJsonObject("metadata")
              .getAsJsonObject("aws.appmesh.platformInfo")
              .getAsJsonObject("ecsPlatformInfo");
      assertThat(ecs.toString()).isEqualTo("{\"ecsLaunchType\":\"FARGATE\"}");
    }
  }
}
