package dev.meshboot.mesh.load;

import static dev.meshboot.mesh.load.Definitions.A_SPEC;
import static dev.meshboot.mesh.load.Definitions.REMOVED;
import static dev.meshboot.mesh.load.Definitions.gatewayRoute;
import static dev.meshboot.mesh.load.Definitions.node;
import static dev.meshboot.mesh.load.Definitions.route;
import static dev.meshboot.mesh.load.Definitions.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each class of error a definition can have, one change to a valid mesh each, with every message
 * asserted exactly: what the App Mesh API model says (types, unknown and required members, enums,
 * ranges, lengths, list sizes, unions), what the API enforced beyond the model, references,
 * duplicates, and routes against the listeners they serve and send to.
 */
class MeshErrorsTest {

  private static final String A = "a.json: virtualNode a in mesh m: ";
  private static final String RT = "rt.json: route rt of virtualRouter r in mesh m: ";
  private static final String GR = "gr.json: gatewayRoute gr of virtualGateway g in mesh m: ";

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    // What the App Mesh API model says.
    cases.add(
        c(
            "an unknown member",
            Map.of(
                "a.json",
                node(
                    "a",
                    """
                    {"listeners": [{"portMaping": {"port": 8080, "protocol": "http"}}],
                     "serviceDiscovery": {"dns": {"hostname": "a.local"}}}""")),
            A
                + "$.spec.listeners[0].portMaping: unknown member; expected one of connectionPool,"
                + " healthCheck, outlierDetection, portMapping, timeout, tls",
            A + "$.spec.listeners[0].portMapping: required but missing"));
    cases.add(
        c(
            "a missing required member",
            Map.of(
                "rt.json",
                "{\"meshName\": \"m\", \"virtualRouterName\": \"r\", \"routeName\": \"rt\"}"),
            RT + "$.spec: required but missing"));
    cases.add(
        c(
            "a value outside an enum",
            Map.of("a.json", node("a", A_SPEC.replace("\"http\"", "\"htp\""))),
            A
                + "$.spec.listeners[0].portMapping.protocol: expected one of http, tcp, http2, grpc"
                + " but got \"htp\""));
    cases.add(
        c(
            "a number out of range",
            Map.of("a.json", node("a", A_SPEC.replace("8080", "99999"))),
            A + "$.spec.listeners[0].portMapping.port: expected 1 to 65535 but got 99999"));
    cases.add(
        c(
            "a string too long",
            Map.of(
                "m.json",
                "{\"meshName\": \"m\", \"tags\": [{\"key\": \""
                    + "k".repeat(129)
                    + "\", \"value\": \"v\"}]}"),
            "m.json: mesh m: $.tags[0].key: expected 1 to 128 characters but got 129"));
    cases.add(
        c(
            "a list too long",
            Map.of(
                "rt.json",
                route(
                    "r",
                    "rt",
                    "{\"httpRoute\": {\"match\": {\"prefix\": \"/\"}, \"action\": {\"weightedTargets\": ["
                        + String.join(
                            ", ",
                            java.util.Collections.nCopies(
                                11, "{\"virtualNode\": \"a\", \"weight\": 1}"))
                        + "]}}}")),
            RT + "$.spec.httpRoute.action.weightedTargets: expected 1 to 10 items but got 11"));
    cases.add(
        c(
            "a union of two members",
            Map.of(
                "rt.json",
                route(
                    "r",
                    "rt",
                    """
                    {"httpRoute": {"match": {"prefix": "/",
                                             "headers": [{"name": "x",
                                                          "match": {"exact": "1", "prefix": "2"}}]},
                                   "action": {"weightedTargets": [{"virtualNode": "a", "weight": 1}]}}}""")),
            RT
                + "$.spec.httpRoute.match.headers[0].match: expected exactly one of exact, prefix,"
                + " range, regex, suffix but got exact, prefix"));
    cases.add(
        c(
            "a union of no member",
            Map.of("s.json", service("s.local", "{\"provider\": {}}")),
            "s.json: virtualService s.local in mesh m: $.spec.provider: expected exactly one of"
                + " virtualNode, virtualRouter but got none"));
    cases.add(
        c(
            "values of the wrong type",
            Map.of(
                "a.json",
                node(
                    "a",
                    """
                    {"listeners": [{"portMapping": {"port": "8080", "protocol": "http"}}],
                     "serviceDiscovery": {"dns": {"hostname": 5}},
                     "backends": {}}"""),
                "rt.json",
                route(
                    "r",
                    "rt",
                    """
                    {"httpRoute": {"match": {"prefix": "/",
                                             "headers": [{"name": "x", "invert": "true"}]},
                                   "action": {"weightedTargets": [{"virtualNode": "a", "weight": 1.0}]}},
                     "priority": null}""")),
            A + "$.spec.listeners[0].portMapping.port: expected an integer but got \"8080\"",
            A + "$.spec.serviceDiscovery.dns.hostname: expected a string but got 5",
            A + "$.spec.backends: expected a list but got an object",
            RT
                + "$.spec.httpRoute.match.headers[0].invert: expected true or false but got \"true\"",
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].weight: expected an integer but got 1.0",
            RT + "$.spec.priority: has no value (null); give one or leave the member out"));
    // Documents that are no resource.
    cases.add(
        c(
            "a document that is not an object",
            Map.of("x.json", "[1, 2]"),
            "x.json: $: expected an object (an App Mesh create request or describe response) but"
                + " got a list"));
    cases.add(
        c(
            "a document that is no App Mesh resource",
            Map.of("x.json", "{\"name\": \"a\"}"),
            "x.json: $: not an App Mesh resource: expected a create request (meshName, with"
                + " virtualNodeName, virtualServiceName, virtualRouterName, routeName,"
                + " virtualGatewayName or gatewayRouteName for what is in the mesh) or a describe"
                + " response ({\"virtualNode\": {...}})"));
    cases.add(
        c(
            "a document naming two resources",
            Map.of(
                "x.json",
                "{\"meshName\": \"m\", \"virtualNodeName\": \"c\", \"virtualServiceName\": \"d\"}"),
            "x.json: $: names a virtualNode (virtualNodeName) and a virtualService"
                + " (virtualServiceName); a document holds one resource"));
    cases.add(
        c(
            "a Kubernetes custom resource",
            Map.of(
                "x.yaml",
                """
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: c}
                spec: {listeners: [{portMapping: {port: 8080, protocol: http}}]}
                """),
            "x.yaml: $: a Kubernetes custom resource (appmesh.k8s.aws/v1beta2 VirtualNode), which"
                + " meshboot does not read: write the resource as the App Mesh API's create request"
                + " (meshName, the resource's name member such as virtualNodeName, spec), the shape"
                + " aws appmesh create-* --cli-input-json takes"));
    cases.add(
        c(
            "a describe response with more than its resource",
            Map.of(
                "x.json",
                "{\"virtualNode\": {\"meshName\": \"m\", \"virtualNodeName\": \"c\"}, \"meshName\": \"m\"}"),
            "x.json: $: a describe response holds only its resource (\"virtualNode\") but this one"
                + " also has meshName"));
    // References and names.
    cases.add(
        c(
            "a mesh that is not defined",
            Map.of("c.json", "{\"meshName\": \"n\", \"virtualNodeName\": \"c\", \"spec\": {}}"),
            "c.json: virtualNode c in mesh n: $.meshName: mesh \"n\" is not defined (no create-mesh"
                + " request names it)"));
    cases.add(
        c(
            "a route's router that is not defined",
            Map.of("rt.json", route("q", "rt", Definitions.RT_SPEC)),
            "rt.json: route rt of virtualRouter q in mesh m: $.virtualRouterName: virtualRouter"
                + " \"q\" is not defined in mesh m"));
    cases.add(
        c(
            "a gateway route's gateway that is not defined",
            Map.of("gr.json", gatewayRoute("h", "gr", Definitions.GR_SPEC)),
            "gr.json: gatewayRoute gr of virtualGateway h in mesh m: $.virtualGatewayName:"
                + " virtualGateway \"h\" is not defined in mesh m"));
    cases.add(
        c(
            "a provider that is not defined",
            Map.of(
                "s.json",
                service(
                    "s.local", "{\"provider\": {\"virtualNode\": {\"virtualNodeName\": \"z\"}}}")),
            "s.json: virtualService s.local in mesh m: $.spec.provider.virtualNode.virtualNodeName:"
                + " virtualNode \"z\" is not defined in mesh m"));
    cases.add(
        c(
            "a backend that is not defined",
            Map.of("b.json", node("b", Definitions.B_SPEC.replace("s.local", "t.local"))),
            "b.json: virtualNode b in mesh m: $.spec.backends[0].virtualService.virtualServiceName:"
                + " virtualService \"t.local\" is not defined in mesh m"));
    cases.add(
        c(
            "a route's target that is not defined",
            Map.of("rt.json", route("r", "rt", Definitions.RT_SPEC.replace("\"a\"", "\"z\""))),
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].virtualNode: virtualNode \"z\" is not"
                + " defined in mesh m"));
    cases.add(
        c(
            "a gateway route's target that is not defined",
            Map.of(
                "gr.json",
                gatewayRoute("g", "gr", Definitions.GR_SPEC.replace("s.local", "t.local"))),
            GR
                + "$.spec.httpRoute.action.target.virtualService.virtualServiceName: virtualService"
                + " \"t.local\" is not defined in mesh m"));
    cases.add(
        c(
            "a resource defined twice",
            Map.of("a2.json", node("a", A_SPEC)),
            "a2.json: virtualNode a in mesh m: $.virtualNodeName: defined again; the first"
                + " definition is in a.json"));
    cases.add(
        c(
            "a mesh with two owners",
            Map.of(
                "a.json",
                node("a", A_SPEC)
                    .replace("{\"meshName\"", "{\"meshOwner\": \"111122223333\", \"meshName\""),
                "b.json",
                node("b", Definitions.B_SPEC)
                    .replace("{\"meshName\"", "{\"meshOwner\": \"444455556666\", \"meshName\"")),
            "b.json: virtualNode b in mesh m: $.meshOwner: expected 111122223333 (the meshOwner in"
                + " a.json) but got 444455556666; a definition holds one mesh of each name"));
    return cases.stream();
  }

  static Arguments c(String name, Map<String, String> overrides, String... expected) {
    return Arguments.of(name, overrides, List.of(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"cases", "dev.meshboot.mesh.load.MeshRulesCases#cases"})
  void refusesTheDefinitionNamingEveryError(
      String name, Map<String, String> overrides, List<String> expected, @TempDir Path dir) {
    Definitions.write(dir, overrides);
    assertThat(Definitions.errors(dir, dir)).as(name).containsExactlyElementsOf(expected);
  }

  @org.junit.jupiter.api.Test
  void theBaseDefinitionIsValid(@TempDir Path dir) {
    Definitions.write(dir, Map.of());
    assertThat(MeshLoader.load(dir).resources()).hasSize(8);
  }

  @org.junit.jupiter.api.Test
  void removedFilesLeaveDanglingReferences(@TempDir Path dir) {
    Definitions.write(dir, Map.of("m.json", REMOVED));
    assertThat(Definitions.errors(dir, dir))
        .hasSize(7)
        .allMatch(
            e ->
                e.endsWith(
                    "$.meshName: mesh \"m\" is not defined (no create-mesh request names it)"));
  }
}
