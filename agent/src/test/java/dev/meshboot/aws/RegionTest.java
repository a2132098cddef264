package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.meshboot.config.ConfigException;
import dev.meshboot.config.Environment;
import dev.meshboot.config.FoundRegion;
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

  /** The region with short metadata timeouts. */
  static FoundRegion find(Environment environment, Duration attempt) {
    return Region.find(
        environment,
        () -> MetadataLookups.start(environment, false, attempt, attempt.plus(attempt)));
  }

  static FakeServer taskMetadata(String zone) throws IOException {
    return new FakeServer()
        .route(
            "GET",
            "/v4/abc/task",
            request ->
                FakeServer.Answer.json(
                    """
                    {"Cluster":"shop","TaskARN":"arn:aws:ecs:us-west-2:123456789012:task/shop/1",\
                    "AvailabilityZone":"%s","LaunchType":"FARGATE"}"""
                        .formatted(zone)));
  }

  @Test
  void awsRegionComesFirstThenAwsDefaultRegion() {
    assertThat(Region.resolve(env("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-east-1")))
        .isEqualTo("eu-west-1");
    assertThat(Region.resolve(env("AWS_DEFAULT_REGION", "us-east-1"))).isEqualTo("us-east-1");
    assertThat(Region.find(env("AWS_DEFAULT_REGION", "us-east-1"), () -> null).source())
        .isEqualTo("AWS_DEFAULT_REGION (environment)");
  }

  @Test
  void aMalformedRegionNamesTheVariable() {
    assertThatThrownBy(() -> Region.resolve(env("AWS_DEFAULT_REGION", "Oregon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AWS_DEFAULT_REGION: expected an AWS region");
  }

  @Test
  void instanceMetadataAnswersWithAToken() throws Exception {
    try (FakeImds imds = new FakeImds("ap-northeast-1").placement("ap-northeast-1a", "apne1-az4")) {
      // Without a token the fake refuses, as IMDSv2 with HttpTokens=required does.
      HttpResponse<String> plain =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(imds.url() + "/latest/meta-data/placement/region"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(401);

      FoundRegion found =
          Region.find(
              env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()),
              () ->
                  MetadataLookups.start(
                      env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()), false));
      assertThat(found.name()).isEqualTo("ap-northeast-1");
      assertThat(found.source()).startsWith("EC2 instance metadata at " + imds.url());
      assertThat(imds.server.requests)
          .extracting(FakeServer.Request::method, FakeServer.Request::path)
          .startsWith(
              tuple("GET", "/latest/meta-data/placement/region"),
              tuple("PUT", "/latest/api/token"),
              tuple("GET", "/latest/meta-data/placement/region"));
      assertThat(imds.refused).hasValue(1);
    }
  }

  @Test
  void taskMetadataComesBeforeInstanceMetadata() throws IOException {
    try (FakeServer task = taskMetadata("us-west-2-lax-1a");
        FakeImds imds = new FakeImds("eu-west-1").placement("eu-west-1b", "euw1-az2")) {
      Environment environment =
          env(
              "ECS_CONTAINER_METADATA_URI_V4",
              task.url() + "/v4/abc",
              "AWS_EC2_METADATA_SERVICE_ENDPOINT",
              imds.url());
      FoundRegion found = Region.find(environment, () -> MetadataLookups.start(environment, false));
      assertThat(found.name()).isEqualTo("us-west-2");
      assertThat(found.source())
          .isEqualTo(
              "ECS task metadata at "
                  + task.url()
                  + "/v4/abc/task (ECS_CONTAINER_METADATA_URI_V4), availability zone"
                  + " us-west-2-lax-1a");
      // The task answered, so the instance metadata was never asked.
      assertThat(imds.server.requests).isEmpty();
    }
  }

  @Test
  void instanceMetadataWhenTaskMetadataGivesNothing() throws IOException {
    try (FakeServer task =
            new FakeServer()
                .route("GET", "/v4/abc/task", request -> FakeServer.Answer.json("{\"Cluster\":"));
        FakeImds imds = new FakeImds("eu-west-1").placement("eu-west-1b", "euw1-az2")) {
      assertThat(
              find(
                      env(
                          "ECS_CONTAINER_METADATA_URI_V4",
                          task.url() + "/v4/abc",
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                          imds.url()),
                      Duration.ofMillis(500))
                  .name())
          .isEqualTo("eu-west-1");
    }
  }

  @Test
  void aHangingMetadataServiceCostsBoundedTime() throws IOException {
    try (FakeServer imds = new FakeServer().hanging();
        FakeServer task = new FakeServer().hanging()) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  find(
                      env(
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                          imds.url(),
                          "ECS_CONTAINER_METADATA_URI_V4",
                          task.url() + "/v4/abc"),
                      Duration.ofMillis(300)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(
              "ECS task metadata at "
                  + task.url()
                  + "/v4/abc/task (ECS_CONTAINER_METADATA_URI_V4): no answer within 600ms")
          .hasMessageContaining(
              "EC2 instance metadata at "
                  + imds.url()
                  + " (AWS_EC2_METADATA_SERVICE_ENDPOINT; AWS_EC2_METADATA_DISABLED=true skips"
                  + " it): no answer within 600ms");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // Each source gives up at its deadline (2 x 300 ms), retries included.
      assertThat(took).isLessThan(Duration.ofMillis(1800));
      assertThat(imds.requests).hasSizeBetween(1, 2);
    }
  }

  @Test
  void theErrorListsEverySourceAndWhy() throws IOException {
    try (FakeServer task = new FakeServer()) {
      assertThatThrownBy(
              () ->
                  find(
                      env("ECS_CONTAINER_METADATA_URI_V4", task.url() + "/v4/x"),
                      Duration.ofMillis(300)))
          .isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).subject()).isEqualTo("AWS_REGION"))
          .hasMessageStartingWith(
              "AWS_REGION: could not find the region; tried AWS_REGION: unset;"
                  + " AWS_DEFAULT_REGION: unset; ECS task metadata at "
                  + task.url()
                  + "/v4/x/task (ECS_CONTAINER_METADATA_URI_V4): HTTP 404; EC2 instance metadata at "
                  + NOTHING
                  + " (AWS_EC2_METADATA_SERVICE_ENDPOINT; AWS_EC2_METADATA_DISABLED=true skips"
                  + " it): ")
          .hasMessageEndingWith(
              ". Set AWS_REGION, or point APPMESH_XDS_ENDPOINT at a non-AWS server");
      // A 404 is an answer: not retried.
      assertThat(task.requests).hasSize(1);
    }
    assertThatThrownBy(
            () -> Region.resolve(Environment.of(Map.of("AWS_EC2_METADATA_DISABLED", "true"))))
        .hasMessage(
            "AWS_REGION: could not find the region; tried AWS_REGION: unset; AWS_DEFAULT_REGION:"
                + " unset; ECS task metadata: ECS_CONTAINER_METADATA_URI_V4 unset; EC2 instance"
                + " metadata: disabled by AWS_EC2_METADATA_DISABLED=true. Set AWS_REGION, or point"
                + " APPMESH_XDS_ENDPOINT at a non-AWS server");
  }

  @Test
  void aZoneWithoutARegionIsSaidSo() throws IOException {
    try (FakeServer task = taskMetadata("somewhere")) {
      assertThatThrownBy(
              () ->
                  find(
                      env(
                          "ECS_CONTAINER_METADATA_URI_V4",
                          task.url() + "/v4/abc",
                          "AWS_EC2_METADATA_DISABLED",
                          "true"),
                      Duration.ofMillis(300)))
          .hasMessageContaining(
              "(ECS_CONTAINER_METADATA_URI_V4): AvailabilityZone \"somewhere\" does not start with"
                  + " a region");
    }
  }
}
