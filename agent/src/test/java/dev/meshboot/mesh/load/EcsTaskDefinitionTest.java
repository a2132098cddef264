package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ECS task definitions in {@code platforms/ecs/} are what {@code aws ecs
 * register-task-definition --cli-input-json} accepts: each is checked against the ECS API model as
 * botocore installs it ({@code MESHBOOT_ECS_MODEL}, exported by bin/test) with the generic model
 * checker the App Mesh definitions use, so a typo fails the build. It lives in this package because
 * {@link ApiModel} and {@link ShapeCheck} are package-private. Their sidecar must also be one
 * meshboot runs as App Mesh's Envoy ran: variables meshboot reads, a stop timeout above the drain
 * time, {@code meshboot healthcheck}, and the UID interception ignores.
 */
class EcsTaskDefinitionTest {

  private static final String VARIABLE = "MESHBOOT_ECS_MODEL";
  private static final String INPUT = "RegisterTaskDefinitionRequest";
  private static final Path DIR = Path.of("..", "platforms", "ecs");
  private static final String SERVICE = "appmesh-service.json";
  private static final String GATEWAY = "appmesh-virtual-gateway.json";

  private static ApiModel model() throws IOException {
    String given = System.getenv(VARIABLE);
    if (given == null || given.isBlank()) {
      fail(
          VARIABLE
              + " is not set: run bin/test, which installs botocore (the version pom.xml pins as"
              + " botocore.version) and exports the path of its ECS API model,"
              + " botocore/data/ecs/2014-11-13/service-2.json.gz");
    }
    Path path = Path.of(given);
    if (!Files.isRegularFile(path)) {
      fail(VARIABLE + "=" + given + " is not a file: run bin/test, which installs botocore");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return ApiModel.read(in);
    }
  }

  private static List<String> errors(JsonElement definition) throws IOException {
    List<String> errors = new ArrayList<>();
    ShapeCheck.modelOnly(model())
        .check(definition, INPUT, "$", List.of(), (p, m) -> errors.add(p + ": " + m));
    return errors;
  }

  private static JsonObject read(String name) throws IOException {
    return JsonParser.parseString(Files.readString(DIR.resolve(name))).getAsJsonObject();
  }

  @Test
  void theDirectoryHoldsBothTaskDefinitions() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")))
          .containsExactlyInAnyOrder(SERVICE, GATEWAY);
    }
  }

  @Test
  void eachTaskDefinitionIsARegisterTaskDefinitionRequest() throws IOException {
    for (String name : List.of(SERVICE, GATEWAY)) {
      assertThat(errors(read(name))).as(name).isEmpty();
    }
  }

  @Test
  void theModelRefusesTypos() throws IOException {
    JsonObject unknown = read(SERVICE);
    unknown.add("proxyConfig", unknown.remove("proxyConfiguration"));
    assertThat(errors(unknown))
        .singleElement()
        .asString()
        .startsWith("$.proxyConfig: unknown member; expected one of family, ");

    JsonObject missing = read(SERVICE);
    missing.remove("family");
    assertThat(errors(missing)).containsExactly("$.family: required but missing");

    JsonObject wrongType = read(GATEWAY);
    envoy(wrongType).addProperty("stopTimeout", "30");
    assertThat(errors(wrongType))
        .containsExactly(
            "$.containerDefinitions[0].stopTimeout: expected an integer but got \"30\"");

    JsonObject badEnum = read(SERVICE);
    app(badEnum)
        .getAsJsonArray("dependsOn")
        .get(0)
        .getAsJsonObject()
        .addProperty("condition", "HEALTH");
    assertThat(errors(badEnum))
        .containsExactly(
            "$.containerDefinitions[0].dependsOn[0].condition: expected one of START, COMPLETE,"
                + " SUCCESS, HEALTHY but got \"HEALTH\"");
  }

  @Test
  void theSidecarIsMeshbootAsAppMeshRanEnvoy() throws IOException {
    List<String> known = Variables.ALL.stream().map(Variable::name).toList();
    for (String name : List.of(SERVICE, GATEWAY)) {
      JsonObject envoy = envoy(read(name));
      assertThat(envoy.get("image").getAsString()).as(name).isEqualTo("meshboot:latest");
      assertThat(envoy.get("essential").getAsBoolean()).as(name).isTrue();
      assertThat(envoy.get("user").getAsString())
          .as(name)
          .isEqualTo(Variables.APPMESH_IGNORE_UID.defaultValue());
      assertThat(strings(envoy.getAsJsonObject("healthCheck").getAsJsonArray("command")))
          .as(name)
          .containsExactly("CMD", "meshboot", "healthcheck");
      Map<String, String> environment = pairs(envoy.getAsJsonArray("environment"));
      assertThat(known).as(name).containsAll(environment.keySet());
      assertThat(environment).as(name).containsKey("APPMESH_RESOURCE_ARN");
      String drain =
          environment.getOrDefault(
              "LISTENER_DRAIN_WAIT_TIME_S",
              Objects.requireNonNull(Variables.LISTENER_DRAIN_WAIT_TIME_S.defaultValue()));
      // the wait for the task's other containers and the drain, each up to the drain time, then
      // the stop steps (docs/ARCHITECTURE.md, task-aware shutdown)
      assertThat(envoy.get("stopTimeout").getAsInt())
          .as(name)
          .isGreaterThanOrEqualTo(2 * Integer.parseInt(drain) + 10)
          .isLessThanOrEqualTo(120);
      JsonObject nofile = envoy.getAsJsonArray("ulimits").get(0).getAsJsonObject();
      assertThat(nofile.get("name").getAsString()).isEqualTo("nofile");
      assertThat(nofile.get("softLimit").getAsInt()).isEqualTo(15000);
      assertThat(nofile.get("hardLimit").getAsInt()).isEqualTo(15000);
    }
    assertThat(read(GATEWAY).has("proxyConfiguration")).isFalse();
    assertThat(read(GATEWAY).getAsJsonArray("containerDefinitions")).hasSize(1);
  }

  @Test
  void theServiceInterceptsAroundTheSidecar() throws IOException {
    JsonObject service = read(SERVICE);
    JsonObject proxy = service.getAsJsonObject("proxyConfiguration");
    JsonObject envoy = envoy(service);
    assertThat(proxy.get("type").getAsString()).isEqualTo("APPMESH");
    assertThat(proxy.get("containerName").getAsString()).isEqualTo(envoy.get("name").getAsString());
    Map<String, String> properties = pairs(proxy.getAsJsonArray("properties"));
    assertThat(properties.get("IgnoredUID")).isEqualTo(envoy.get("user").getAsString());
    assertThat(properties.get("ProxyIngressPort"))
        .isEqualTo(Variables.APPMESH_ENVOY_INGRESS_PORT.defaultValue());
    assertThat(properties.get("ProxyEgressPort"))
        .isEqualTo(Variables.APPMESH_ENVOY_EGRESS_PORT.defaultValue());
    assertThat(properties.get("EgressIgnoredIPs").split(","))
        .containsExactlyInAnyOrder("169.254.170.2", "169.254.169.254");
    JsonObject app = app(service);
    assertThat(properties.get("AppPorts"))
        .isEqualTo(
            app.getAsJsonArray("portMappings")
                .get(0)
                .getAsJsonObject()
                .get("containerPort")
                .getAsString());
    JsonObject dependency = app.getAsJsonArray("dependsOn").get(0).getAsJsonObject();
    assertThat(dependency.get("containerName").getAsString())
        .isEqualTo(envoy.get("name").getAsString());
    assertThat(dependency.get("condition").getAsString()).isEqualTo("HEALTHY");
  }

  private static JsonObject envoy(JsonObject definition) {
    return container(definition, true);
  }

  private static JsonObject app(JsonObject definition) {
    return container(definition, false);
  }

  /** The one container whose image is (or is not) meshboot's. */
  private static JsonObject container(JsonObject definition, boolean meshboot) {
    List<JsonObject> found = new ArrayList<>();
    for (JsonElement container : definition.getAsJsonArray("containerDefinitions")) {
      JsonObject object = container.getAsJsonObject();
      if (object.get("image").getAsString().startsWith("meshboot:") == meshboot) {
        found.add(object);
      }
    }
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static Map<String, String> pairs(JsonArray array) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (JsonElement pair : array) {
      JsonObject object = pair.getAsJsonObject();
      assertThat(pairs.put(object.get("name").getAsString(), object.get("value").getAsString()))
          .as("a second " + object.get("name"))
          .isNull();
    }
    return pairs;
  }

  private static List<String> strings(JsonArray array) {
    List<String> strings = new ArrayList<>();
    array.forEach(e -> strings.add(e.getAsString()));
    return strings;
  }
}
