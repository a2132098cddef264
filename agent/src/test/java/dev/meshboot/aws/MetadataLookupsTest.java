package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.Environment;
import dev.meshboot.config.PlatformFacts.EcsTask;
import dev.meshboot.config.PlatformFacts.Placement;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetadataLookupsTest {

  static final Duration ATTEMPT = Duration.ofMillis(400);
  static final Duration DEADLINE = Duration.ofMillis(800);

  /** A Fargate task document, trimmed to what matters (numbers as the agent writes them). */
  static final String FARGATE_TASK =
      """
      {"Cluster":"arn:aws:ecs:us-west-2:111122223333:cluster/shop",
       "TaskARN":"arn:aws:ecs:us-west-2:111122223333:task/shop/0f2b",
       "Family":"cart","Revision":"7","DesiredStatus":"RUNNING","KnownStatus":"RUNNING",
       "Limits":{"CPU":0.25,"Memory":512},"LaunchType":"FARGATE",
       "AvailabilityZone":"us-west-2b","Containers":[]}""";

  static Environment env(String... pairs) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Environment.of(map);
  }

  static MetadataLookups start(Environment environment, boolean placementNow) {
    return MetadataLookups.start(environment, placementNow, ATTEMPT, DEADLINE);
  }

  @Test
  void readsTheTaskAndThePlacement() throws IOException {
    try (FakeServer task =
            new FakeServer()
                .route("GET", "/v4/c1/task", request -> FakeServer.Answer.json(FARGATE_TASK));
        FakeImds imds = new FakeImds("us-west-2").placement("us-west-2b", "usw2-az2")) {
      MetadataLookups lookups =
          start(
              env(
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/c1/",
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                  imds.url()),
              true);
      assertThat(lookups.task().value())
          .contains(
              new EcsTask(
                  Optional.of("FARGATE"),
                  Optional.of("arn:aws:ecs:us-west-2:111122223333:cluster/shop"),
                  Optional.of("arn:aws:ecs:us-west-2:111122223333:task/shop/0f2b"),
                  Optional.of("0.25"),
                  Optional.of("512"),
                  Optional.of("us-west-2b"),
                  Optional.empty()));
      assertThat(lookups.placement().value())
          .contains(new Placement("us-west-2", "us-west-2b", Optional.of("usw2-az2")));
      // IMDSv2: every metadata GET carried the session token.
      assertThat(imds.refused).hasValue(0);
      assertThat(imds.server.requests.getFirst().path()).isEqualTo("/latest/api/token");
    }
  }

  @Test
  void aPlacementWithoutZoneIdKeepsTheZone() throws IOException {
    try (FakeImds imds = new FakeImds("eu-west-1").placement("eu-west-1a", null)) {
      MetadataLookups lookups = start(env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()), true);
      assertThat(lookups.placement().value())
          .contains(new Placement("eu-west-1", "eu-west-1a", Optional.empty()));
    }
  }

  @Test
  void hangingSourcesCostOneDeadlineBetweenThem() throws IOException {
    try (FakeServer task = new FakeServer().hanging();
        FakeServer imds = new FakeServer().hanging()) {
      long start = System.nanoTime();
      MetadataLookups lookups =
          start(
              env(
                  "ECS_CONTAINER_METADATA_URI_V4",
                  task.url() + "/v4/c1",
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                  imds.url()),
              true);
      MetadataLookups.Answer<EcsTask> taskAnswer = lookups.task();
      MetadataLookups.Answer<Placement> placement = lookups.placement();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(taskAnswer.asked()).isTrue();
      assertThat(taskAnswer.value()).isEmpty();
      assertThat(taskAnswer.problem()).isEqualTo("no answer within 800ms");
      assertThat(placement.value()).isEmpty();
      assertThat(placement.problem()).isEqualTo("no answer within 800ms");
      // Asked together: one deadline, not two after each other.
      assertThat(took)
          .isGreaterThanOrEqualTo(DEADLINE)
          .isLessThan(DEADLINE.multipliedBy(3).dividedBy(2));
    }
  }

  @Test
  void malformedTaskMetadataIsAProblemNotACrash() throws IOException {
    try (FakeServer task =
        new FakeServer()
            .route("GET", "/v4/c1/task", request -> FakeServer.Answer.json("{\"Cluster\": [1,"))) {
      MetadataLookups.Answer<EcsTask> answer =
          start(env("ECS_CONTAINER_METADATA_URI_V4", task.url() + "/v4/c1"), false).task();
      assertThat(answer.asked()).isTrue();
      assertThat(answer.value()).isEmpty();
      assertThat(answer.problem()).startsWith("the answer is not JSON: ");
      assertThat(answer.source())
          .isEqualTo(
              "ECS task metadata at " + task.url() + "/v4/c1/task (ECS_CONTAINER_METADATA_URI_V4)");
    }
    try (FakeServer task =
        new FakeServer()
            .route("GET", "/v4/c1/task", request -> FakeServer.Answer.json("[\"FARGATE\"]"))) {
      assertThat(start(env("ECS_CONTAINER_METADATA_URI_V4", task.url() + "/v4/c1"), false).task())
          .extracting(MetadataLookups.Answer::problem)
          .isEqualTo("the answer is not a JSON object");
    }
  }

  @Test
  void taskMetadataIsRetriedAfterAServerError() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    try (FakeServer task =
        new FakeServer()
            .route(
                "GET",
                "/v4/c1/task",
                request ->
                    calls.incrementAndGet() == 1
                        ? FakeServer.Answer.status(503)
                        : FakeServer.Answer.json(FARGATE_TASK))) {
      assertThat(
              start(env("ECS_CONTAINER_METADATA_URI_V4", task.url() + "/v4/c1"), false)
                  .task()
                  .value()
                  .flatMap(EcsTask::availabilityZone))
          .contains("us-west-2b");
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void instanceMetadataWaitsToBeAskedAndNeverWhenDisabled() throws IOException {
    try (FakeImds imds = new FakeImds("us-east-1").placement("us-east-1c", "use1-az6")) {
      MetadataLookups lazy = start(env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()), false);
      assertThat(lazy.placementAsked()).isFalse();
      assertThat(lazy.task().asked()).isFalse();
      assertThat(lazy.task().problem()).isEqualTo("ECS_CONTAINER_METADATA_URI_V4 unset");
      assertThat(imds.server.requests).isEmpty();
      assertThat(lazy.placement().value().map(Placement::region)).contains("us-east-1");

      int before = imds.server.requests.size();
      MetadataLookups.Answer<Placement> disabled =
          start(
                  env(
                      "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                      imds.url(),
                      "AWS_EC2_METADATA_DISABLED",
                      "true"),
                  true)
              .placement();
      assertThat(disabled.asked()).isFalse();
      assertThat(disabled.problem()).isEqualTo("disabled by AWS_EC2_METADATA_DISABLED=true");
      assertThat(imds.server.requests).hasSize(before);
    }
  }
}
