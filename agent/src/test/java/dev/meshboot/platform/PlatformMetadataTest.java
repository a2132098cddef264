package dev.meshboot.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.aws.FakeImds;
import dev.meshboot.aws.FakeServer;
import dev.meshboot.config.Environment;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.PlatformFacts.Placement;
import dev.meshboot.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformMetadataTest {

  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

  @BeforeEach
  void captureLog() {
    Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreLog() {
    Log.redirect(System.err);
  }

  private List<String> warnings() {
    return logged.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("WARN")).toList();
  }

  static Environment env(String... pairs) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Environment.of(map);
  }

  /**
   * Instance metadata is asked up front only where there is one to ask (never on Fargate) or the
   * region must come from it.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "AWS_REGION=us-west-2                                                  | false",
        "AWS_REGION=us-west-2,AWS_EXECUTION_ENV=AWS_ECS_EC2                    | true",
        "AWS_REGION=us-west-2,AWS_EXECUTION_ENV=AWS_ECS_FARGATE                | false",
        "AWS_EXECUTION_ENV=AWS_ECS_FARGATE                                     | false",
        "AWS_REGION=us-west-2,APPMESH_PLATFORM_K8S_POD_UID=7d3c                | true",
        "AWS_REGION=us-west-2,AWS_EC2_METADATA_SERVICE_ENDPOINT=http://[::1]:1 | true",
        "AWS_REGION=us-west-2,AWS_EXECUTION_ENV=AWS_ECS_EC2,AWS_EC2_METADATA_DISABLED=true | false",
        "APPMESH_RESOURCE_ARN=mesh/m/virtualNode/n                             | true",
        "AWS_DEFAULT_REGION=eu-west-1                                          | false",
        "ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:1/v4/x                 | false",
        "APPMESH_XDS_ENDPOINT=10.0.0.1:15010                                   | false",
        "APPMESH_XDS_ENDPOINT=unix:///tmp/xds.sock                             | false",
        "APPMESH_XDS_ENDPOINT=appmesh-envoy-management.eu-west-1.amazonaws.com:443 | true",
        "APPMESH_XDS_ENDPOINT=10.0.0.1:15010,MESHBOOT_XDS_MODE=aws-iam         | true",
      })
  void asksInstanceMetadataUpFrontWhereItHelps(String variables, boolean wanted) {
    List<String> pairs = new java.util.ArrayList<>();
    for (String pair : variables.trim().split(",", -1)) {
      pairs.add(pair.substring(0, pair.indexOf('=')));
      pairs.add(pair.substring(pair.indexOf('=') + 1));
    }
    assertThat(PlatformMetadata.placementWanted(env(pairs.toArray(String[]::new))))
        .isEqualTo(wanted);
  }

  @Test
  void nothingToAskGivesNoFacts() {
    PlatformMetadata metadata =
        PlatformMetadata.start(
            env(
                "AWS_REGION",
                "us-west-2",
                "AWS_EXECUTION_ENV",
                "AWS_ECS_EC2",
                "AWS_EC2_METADATA_DISABLED",
                "true"));
    assertThat(metadata.facts()).isEqualTo(PlatformFacts.NONE);
    assertThat(warnings()).isEmpty();
  }

  @Test
  void collectsTheTaskAndThePlacementTogether() throws IOException {
    try (FakeServer task =
            new FakeServer()
                .route(
                    "GET",
                    "/v4/c1/task",
                    request ->
                        FakeServer.Answer.json(
                            """
                            {"Cluster":"shop","TaskARN":"arn:aws:ecs:eu-west-1:1:task/shop/9",\
                            "LaunchType":"EC2","AvailabilityZone":"eu-west-1c"}"""));
        FakeImds imds = new FakeImds("eu-west-1").placement("eu-west-1c", "euw1-az3")) {
      PlatformMetadata metadata =
          PlatformMetadata.start(
              env(
                  "AWS_EXECUTION_ENV",
                  "AWS_ECS_EC2",
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/c1",
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                  imds.url()));
      PlatformFacts facts = metadata.facts();
      assertThat(facts.task().flatMap(PlatformFacts.EcsTask::clusterArn)).contains("shop");
      assertThat(facts.placement())
          .contains(new Placement("eu-west-1", "eu-west-1c", Optional.of("euw1-az3")));
      assertThat(metadata.region().name()).isEqualTo("eu-west-1");
      assertThat(metadata.region().source()).startsWith("ECS task metadata at " + task.url());
      assertThat(warnings()).isEmpty();
    }
  }

  @Test
  void hangingSourcesAreSkippedWithOneWarningEachWithinOneTimeout() throws IOException {
    try (FakeServer task = new FakeServer().hanging();
        FakeServer imds = new FakeServer().hanging()) {
      long start = System.nanoTime();
      PlatformMetadata metadata =
          PlatformMetadata.start(
              env(
                  "AWS_REGION",
                  "us-west-2",
                  "APPMESH_PLATFORM_K8S_POD_UID",
                  "7d3c",
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/c1",
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                  imds.url()));
      PlatformFacts facts = metadata.facts();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(facts).isEqualTo(PlatformFacts.NONE);
      // Both are given up at the 2 s deadline they share, not one after the other.
      assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofMillis(3000));
      assertThat(warnings())
          .hasSize(2)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains("node metadata goes without this source")
                      .contains("ECS task metadata at " + task.url() + "/v4/c1/task")
                      .contains("no answer within 2s"))
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains("EC2 instance metadata at " + imds.url())
                      .contains("no answer within 2s"));
      metadata.facts();
      assertThat(warnings()).as("warned once").hasSize(2);
    }
  }

  @Test
  void malformedTaskMetadataIsSkippedWithAWarning() throws IOException {
    try (FakeServer task =
        new FakeServer()
            .route("GET", "/v4/c1/task", request -> FakeServer.Answer.json("<html>oops</html>"))) {
      PlatformFacts facts =
          PlatformMetadata.start(
                  env(
                      "AWS_REGION",
                      "us-west-2",
                      "AWS_EXECUTION_ENV",
                      "AWS_ECS_FARGATE",
                      "ECS_CONTAINER_METADATA_URI_V4",
                      task.url() + "/v4/c1"))
              .facts();
      assertThat(facts).isEqualTo(PlatformFacts.NONE);
      assertThat(warnings())
          .singleElement()
          .asString()
          .contains("ECS task metadata at " + task.url() + "/v4/c1/task")
          .containsAnyOf("not JSON", "not a JSON object");
    }
  }
}
