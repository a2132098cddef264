package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.Environment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionTest {

  /** Where nothing listens: a closed loopback port refuses at once. */
  static final String NOTHING = "http://127.0.0.1:9";

  static Environment env(String... pairs) {
    Map<String, String> map = new HashMap<>();
    map.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", NOTHING);
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Environment.of(map);
  }

  @Test
  void awsRegionComesFirstThenAwsDefaultRegion() {
    assertThat(Region.resolve(env("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-east-1")))
        .isEqualTo("eu-west-1");
    assertThat(Region.resolve(env("AWS_DEFAULT_REGION", "us-east-1"))).isEqualTo("us-east-1");
  }

  @Test
  void aMalformedRegionNamesTheVariable() {
    assertThatThrownBy(() -> Region.resolve(env("AWS_DEFAULT_REGION", "Oregon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AWS_DEFAULT_REGION: expected a region");
  }

  @Test
  void instanceMetadataAnswersWithAToken() throws Exception {
    try (FakeImds imds = new FakeImds("ap-northeast-1")) {
      // Without a token the fake refuses, as IMDSv2 with HttpTokens=required does.
      HttpResponse<String> plain =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(imds.url() + "/latest/meta-data/placement/region"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(401);

      assertThat(Region.resolve(env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())))
          .isEqualTo("ap-northeast-1");
      assertThat(imds.server.requests)
          .extracting(FakeServer.Request::method, FakeServer.Request::path)
          .startsWith(
              org.assertj.core.groups.Tuple.tuple("GET", "/latest/meta-data/placement/region"),
              org.assertj.core.groups.Tuple.tuple("PUT", "/latest/api/token"),
              org.assertj.core.groups.Tuple.tuple("GET", "/latest/meta-data/placement/region"));
      assertThat(imds.refused).hasValue(1);
    }
  }

  @Test
  void taskMetadataAfterInstanceMetadata() throws IOException {
    try (FakeServer task = new FakeServer()) {
      task.route(
          "GET",
          "/v4/abc/task",
          request ->
              FakeServer.Answer.json(
                  """
                  {"Cluster":"shop","TaskARN":"arn:aws:ecs:us-west-2:123456789012:task/shop/1",\
                  "AvailabilityZone":"us-west-2-lax-1a","LaunchType":"FARGATE"}"""));
      assertThat(Region.resolve(env("ECS_CONTAINER_METADATA_URI_V4", task.url() + "/v4/abc")))
          .isEqualTo("us-west-2");
    }
  }

  @Test
  void aHangingMetadataServiceCostsBoundedTime() throws IOException {
    try (FakeServer imds = new FakeServer().hanging();
        FakeServer task = new FakeServer().hanging()) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  Region.resolve(
                      env(
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                          imds.url(),
                          "ECS_CONTAINER_METADATA_URI_V4",
                          task.url() + "/v4/abc"),
                      Duration.ofMillis(300)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("EC2 instance metadata at " + imds.url() + ": ")
          .hasMessageContaining("ECS task metadata at " + task.url() + "/v4/abc/task: ");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // IMDS: 3 attempts; task metadata: 1; each bounded by the 300 ms timeout, plus backoff.
      assertThat(took).isLessThan(Duration.ofSeconds(5));
      assertThat(imds.requests).hasSizeBetween(1, 3);
    }
  }

  @Test
  void theErrorListsEverySourceAndWhy() {
    assertThatThrownBy(
            () ->
                Region.resolve(
                    env("ECS_CONTAINER_METADATA_URI_V4", NOTHING + "/v4/x"),
                    Duration.ofMillis(300)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).subject()).isEqualTo("AWS_REGION"))
        .hasMessageStartingWith(
            "AWS_REGION: could not find the region; tried AWS_REGION: unset;"
                + " AWS_DEFAULT_REGION: unset; EC2 instance metadata at "
                + NOTHING
                + ": ")
        .hasMessageContaining("; ECS task metadata at " + NOTHING + "/v4/x/task: ")
        .hasMessageEndingWith(". Set AWS_REGION.");
    assertThatThrownBy(() -> Region.resolve(env("AWS_EC2_METADATA_DISABLED", "true")))
        .hasMessageContaining("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        .hasMessageContaining("ECS task metadata: ECS_CONTAINER_METADATA_URI_V4 unset");
  }
}
