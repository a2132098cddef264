package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Recognizes what a document is and checks it against the App Mesh API model: a create request
 * ({@code aws appmesh create-virtual-node --cli-input-json}: {@code meshName}, {@code
 * virtualNodeName}, {@code spec}, ...; its kind told by the name member) against its {@code
 * Create*Input} shape, or a describe response ({@code {"virtualNode": {...}}}) against its {@code
 * *Data} shape, whose output-only {@code metadata} and {@code status} are ignored. Kubernetes
 * custom resources are refused with what to write instead.
 */
final class Requests {

  /** A describe response's members that only App Mesh writes: accepted, never read. */
  static final List<String> OUTPUT_ONLY = List.of("metadata", "status");

  private final ApiModel model;
  private final ShapeCheck shapes;
  private final Problems problems;

  Requests(ApiModel model, Problems problems) {
    this.model = model;
    this.shapes = new ShapeCheck(model);
    this.problems = problems;
  }

  /** The resource {@code document} is, checked against its shape; empty if it is none. */
  Optional<Found> identify(JsonElement document, Source source) {
    if (!document.isJsonObject()) {
      problems.at(
          source,
          "$",
          "expected an object (an App Mesh create request or describe response) but got "
              + Values.describe(document));
      return Optional.empty();
    }
    JsonObject object = document.getAsJsonObject();
    if (object.has("apiVersion") && object.has("kind")) {
      problems.at(source, "$", kubernetes(object));
      return Optional.empty();
    }
    for (Kind kind : Kind.values()) {
      if (object.has(kind.wrapper())) {
        return describeResponse(kind, object, source);
      }
    }
    return createRequest(object, source);
  }

  private static String kubernetes(JsonObject object) {
    String type = Json.text(object, "apiVersion") + " " + Json.text(object, "kind");
    if (String.valueOf(Json.text(object, "apiVersion")).startsWith("appmesh.k8s.aws/")) {
      return "a Kubernetes custom resource ("
          + type
          + "), which meshboot does not read: write the resource as the App Mesh API's create"
          + " request (meshName, the resource's name member such as virtualNodeName, spec), the"
          + " shape aws appmesh create-* --cli-input-json takes";
    }
    return "a Kubernetes object (" + type + "), not an App Mesh resource";
  }

  private Optional<Found> describeResponse(Kind kind, JsonObject object, Source source) {
    String at = Values.path("$", kind.wrapper());
    if (object.size() != 1) {
      problems.at(
          source,
          "$",
          "a describe response holds only its resource (\""
              + kind.wrapper()
              + "\") but this one also has "
              + object.keySet().stream()
                  .filter(k -> !k.equals(kind.wrapper()))
                  .collect(Collectors.joining(", ")));
      return Optional.empty();
    }
    JsonElement body = object.get(kind.wrapper());
    if (!body.isJsonObject()) {
      problems.at(source, at, "expected an object but got " + Values.describe(body));
      return Optional.empty();
    }
    String output = kind.describeOutputShape();
    String data = model.shape(output).members().get(kind.wrapper());
    if (data == null) {
      throw new IllegalStateException("the App Mesh API model's " + output + " lacks " + kind);
    }
    return Optional.of(checked(kind, source, at, body.getAsJsonObject(), data, OUTPUT_ONLY));
  }

  private Optional<Found> createRequest(JsonObject object, Source source) {
    List<Kind> named = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      if (kind != Kind.MESH && object.has(kind.nameMember())) {
        named.add(kind);
      }
    }
    // A route names its router too: the router's name member is then its parent, not its kind.
    List<Kind> parents = new ArrayList<>();
    for (Kind kind : named) {
      kind.parentMember()
          .ifPresent(
              parent ->
                  named.stream().filter(k -> k.nameMember().equals(parent)).forEach(parents::add));
    }
    named.removeAll(parents);
    if (named.size() > 1) {
      problems.at(
          source,
          "$",
          "names "
              + named.stream()
                  .map(k -> "a " + k.wrapper() + " (" + k.nameMember() + ")")
                  .collect(Collectors.joining(" and "))
              + "; a document holds one resource");
      return Optional.empty();
    }
    if (named.isEmpty() && !object.has(Kind.MESH.nameMember())) {
      problems.at(
          source,
          "$",
          "not an App Mesh resource: expected a create request (meshName, with virtualNodeName,"
              + " virtualServiceName, virtualRouterName, routeName, virtualGatewayName or"
              + " gatewayRouteName for what is in the mesh) or a describe response ({\"virtualNode\":"
              + " {...}})");
      return Optional.empty();
    }
    Kind kind = named.isEmpty() ? Kind.MESH : named.get(0);
    return Optional.of(checked(kind, source, "$", object, kind.createInputShape(), List.of()));
  }

  private Found checked(
      Kind kind, Source source, String at, JsonObject body, String shape, List<String> skip) {
    String mesh = Json.text(body, Kind.MESH.nameMember());
    Found named =
        new Found(
            kind,
            source,
            at,
            body,
            mesh,
            kind.parentMember().map(p -> Json.text(body, p)).orElse(null),
            kind == Kind.MESH ? mesh : Json.text(body, kind.nameMember()),
            skip.isEmpty() ? Json.text(body, "meshOwner") : null,
            false);
    int[] errors = {0};
    shapes.check(
        body,
        shape,
        at,
        skip,
        (path, message) -> {
          errors[0]++;
          problems.at(named, path, message);
        });
    return new Found(
        kind,
        source,
        at,
        body,
        named.mesh(),
        named.parent(),
        named.name(),
        named.meshOwner(),
        errors[0] == 0);
  }
}
