package dev.meshboot.mesh.load;

import static dev.meshboot.mesh.load.Definitions.A_SPEC;
import static dev.meshboot.mesh.load.Definitions.B_SPEC;
import static dev.meshboot.mesh.load.Definitions.RT_SPEC;
import static dev.meshboot.mesh.load.Definitions.gateway;
import static dev.meshboot.mesh.load.Definitions.gatewayRoute;
import static dev.meshboot.mesh.load.Definitions.node;
import static dev.meshboot.mesh.load.Definitions.route;
import static dev.meshboot.mesh.load.Definitions.router;
import static dev.meshboot.mesh.load.MeshErrorsTest.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The cases of {@link MeshErrorsTest} for what the App Mesh API enforced beyond its model, and for
 * routes against listeners.
 */
final class MeshRulesCases {

  private static final String A = "a.json: virtualNode a in mesh m: ";
  private static final String RT = "rt.json: route rt of virtualRouter r in mesh m: ";
  private static final String GR = "gr.json: gatewayRoute gr of virtualGateway g in mesh m: ";

  private MeshRulesCases() {}

  private static Map<String, String> a(String spec) {
    return Map.of("a.json", node("a", spec));
  }

  private static Map<String, String> rt(String spec) {
    return Map.of("rt.json", route("r", "rt", spec));
  }

  private static Map<String, String> gr(String spec) {
    return Map.of("gr.json", gatewayRoute("g", "gr", spec));
  }

  /** An HTTP route to node a with {@code match}, and {@code more} members beside match. */
  private static String http(String match, String more) {
    return "{\"httpRoute\": {\"match\": "
        + match
        + ", \"action\": {\"weightedTargets\": [{\"virtualNode\": \"a\", \"weight\": 1}]}"
        + more
        + "}}";
  }

  /** An HTTP gateway route to s.local with {@code match}, and {@code target} members. */
  private static String gatewayHttp(String match, String target) {
    return "{\"httpRoute\": {\"match\": "
        + match
        + ", \"action\": {\"target\": {\"virtualService\": {\"virtualServiceName\": \"s.local\"}"
        + target
        + "}}}}";
  }

  private static String listener(int port, String protocol, String more) {
    return "{\"portMapping\": {\"port\": "
        + port
        + ", \"protocol\": \""
        + protocol
        + "\"}"
        + more
        + "}";
  }

  private static String nodeSpec(String... listeners) {
    return "{\"listeners\": ["
        + String.join(", ", listeners)
        + "], \"serviceDiscovery\": {\"dns\": {\"hostname\": \"a.local\"}}}";
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    // Rules of one resource.
    cases.add(
        c(
            "two listeners on one port",
            a(nodeSpec(listener(8080, "http", ""), listener(8080, "grpc", ""))),
            A
                + "$.spec.listeners[1].portMapping.port: port 8080 is already the port of"
                + " $.spec.listeners[0]"));
    cases.add(
        c(
            "a backend twice",
            Map.of(
                "b.json",
                node(
                    "b",
                    B_SPEC.replace(
                        "\"backends\": [",
                        "\"backends\": [{\"virtualService\": {\"virtualServiceName\": \"s.local\"}}, "))),
            "b.json: virtualNode b in mesh m: $.spec.backends[1].virtualService.virtualServiceName:"
                + " \"s.local\" is already the backend at $.spec.backends[0]"));
    cases.add(
        c(
            "listeners without service discovery",
            a("{\"listeners\": [" + listener(8080, "http", "") + "]}"),
            A
                + "$.spec.serviceDiscovery: required with listeners (how the node's instances are"
                + " found)"));
    cases.add(
        c(
            "a connection pool for another protocol",
            a(
                nodeSpec(
                    listener(
                        8080, "http", ", \"connectionPool\": {\"http2\": {\"maxRequests\": 9}}"))),
            A
                + "$.spec.listeners[0].connectionPool.http2: for http2 but the listener is http;"
                + " expected connectionPool.http"));
    cases.add(
        c(
            "a timeout for another protocol",
            a(
                nodeSpec(
                    listener(
                        8080,
                        "http",
                        ", \"timeout\": {\"tcp\": {\"idle\": {\"value\": 9, \"unit\": \"s\"}}}"))),
            A
                + "$.spec.listeners[0].timeout.tcp: for tcp but the listener is http; expected"
                + " timeout.http"));
    cases.add(
        c(
            "a health check of another port",
            a(
                nodeSpec(
                    listener(
                        8080,
                        "http",
                        ", \"healthCheck\": {\"port\": 9000, \"protocol\": \"http\", \"path\": \"/\","
                            + " \"healthyThreshold\": 2, \"unhealthyThreshold\": 2,"
                            + " \"intervalMillis\": 5000, \"timeoutMillis\": 2000}"))),
            A
                + "$.spec.listeners[0].healthCheck.port: expected the listener's port 8080 but got"
                + " 9000"));
    cases.add(
        c(
            "an empty hostname",
            a(A_SPEC.replace("a.local", "")),
            A + "$.spec.serviceDiscovery.dns.hostname: expected a hostname but got \"\""));
    cases.add(
        c(
            "a router without listeners",
            Map.of("r.json", router("r", "{}")),
            "r.json: virtualRouter r in mesh m: $.spec.listeners: expected at least one listener"
                + " (the port and protocol it serves)"));
    cases.add(
        c(
            "a route of no type",
            rt("{\"priority\": 1}"),
            RT
                + "$.spec: expected exactly one of grpcRoute, http2Route, httpRoute, tcpRoute but got"
                + " none"));
    cases.add(
        c(
            "a retry policy that retries nothing",
            rt(
                http(
                    "{\"prefix\": \"/\"}",
                    ", \"retryPolicy\": {\"maxRetries\": 2, \"perRetryTimeout\": {\"value\": 1,"
                        + " \"unit\": \"s\"}}")),
            RT
                + "$.spec.httpRoute.retryPolicy: expected at least one of httpRetryEvents,"
                + " tcpRetryEvents but got none"));
    cases.add(
        c(
            "a retry event App Mesh does not know",
            rt(
                http(
                    "{\"prefix\": \"/\"}",
                    ", \"retryPolicy\": {\"maxRetries\": 2, \"perRetryTimeout\": {\"value\": 1,"
                        + " \"unit\": \"s\"}, \"httpRetryEvents\": [\"server-errors\"]}")),
            RT
                + "$.spec.httpRoute.retryPolicy.httpRetryEvents[0]: expected one of server-error,"
                + " gateway-error, client-error, stream-error but got \"server-errors\""));
    cases.add(
        c(
            "a duration without its unit",
            rt(http("{\"prefix\": \"/\"}", ", \"timeout\": {\"perRequest\": {\"value\": 15}}")),
            RT
                + "$.spec.httpRoute.timeout.perRequest.unit: required but missing (a duration has a"
                + " value and a unit: {\"value\": 15, \"unit\": \"s\"})"));
    cases.add(
        c(
            "a prefix and a path",
            rt(http("{\"prefix\": \"/\", \"path\": {\"exact\": \"/a\"}}", "")),
            RT
                + "$.spec.httpRoute.match: expected exactly one of prefix, path but got prefix, path"));
    cases.add(
        c(
            "a prefix without its slash",
            rt(http("{\"prefix\": \"api\"}", "")),
            RT
                + "$.spec.httpRoute.match.prefix: expected a path prefix starting with / but got"
                + " \"api\""));
    cases.add(
        c(
            "a prefix App Mesh reserved",
            rt(http("{\"prefix\": \"/aws-appmesh/x\"}", "")),
            RT
                + "$.spec.httpRoute.match.prefix: prefixes starting with /aws-appmesh or"
                + " /aws-app-mesh are reserved by App Mesh"));
    cases.add(
        c(
            "an exact and a regex path",
            rt(http("{\"path\": {\"exact\": \"/a\", \"regex\": \"/b.*\"}}", "")),
            RT
                + "$.spec.httpRoute.match.path: expected exactly one of exact, regex but got exact,"
                + " regex"));
    cases.add(
        c(
            "an empty query parameter match",
            rt(
                http(
                    "{\"prefix\": \"/\", \"queryParameters\": [{\"name\": \"q\", \"match\": {}}]}",
                    "")),
            RT + "$.spec.httpRoute.match.queryParameters[0].match.exact: required but missing"));
    cases.add(
        c(
            "an empty header range",
            rt(
                http(
                    "{\"prefix\": \"/\", \"headers\": [{\"name\": \"n\", \"match\": {\"range\":"
                        + " {\"start\": 5, \"end\": 5}}}]}",
                    "")),
            RT
                + "$.spec.httpRoute.match.headers[0].match.range.end: expected more than start (5;"
                + " the range excludes its end) but got 5"));
    cases.add(
        c(
            "a gRPC method without its service",
            rt(
                "{\"grpcRoute\": {\"match\": {\"methodName\": \"Get\"}, \"action\":"
                    + " {\"weightedTargets\": [{\"virtualNode\": \"a\", \"weight\": 1}]}}}"),
            RT
                + "$.spec.grpcRoute.match.serviceName: required with methodName (the method's"
                + " service)"));
    cases.add(
        c(
            "a gRPC service App Mesh reserved",
            rt(
                "{\"grpcRoute\": {\"match\": {\"serviceName\": \"aws.appmesh.Health\"}, \"action\":"
                    + " {\"weightedTargets\": [{\"virtualNode\": \"a\", \"weight\": 1}]}}}"),
            RT
                + "$.spec.grpcRoute.match.serviceName: service names starting with aws.app-mesh or"
                + " aws.appmesh are reserved by App Mesh"));
    cases.add(
        c(
            "weights adding up to 0",
            rt(RT_SPEC.replace("\"weight\": 1", "\"weight\": 0")),
            RT
                + "$.spec.httpRoute.action.weightedTargets: the weights add up to 0: no target would"
                + " get any traffic"));
    cases.add(
        c(
            "a gateway route matching nothing",
            gr(gatewayHttp("{}", "")),
            GR
                + "$.spec.httpRoute.match: expected at least one of prefix, path, hostname but got"
                + " none"));
    cases.add(
        c(
            "a hostname matched two ways",
            gr(
                gatewayHttp(
                    "{\"hostname\": {\"exact\": \"a.example\", \"suffix\": \".example\"}}", "")),
            GR
                + "$.spec.httpRoute.match.hostname: expected exactly one of exact, suffix but got"
                + " exact, suffix"));
    cases.add(
        c(
            "a gRPC gateway route matching nothing",
            gr(
                "{\"grpcRoute\": {\"match\": {}, \"action\": {\"target\": {\"virtualService\":"
                    + " {\"virtualServiceName\": \"s.local\"}}}}}"),
            GR
                + "$.spec.grpcRoute.match: expected at least one of serviceName, hostname but got"
                + " none"));
    cases.add(
        c(
            "an empty rewrite",
            gr(
                "{\"httpRoute\": {\"match\": {\"prefix\": \"/\"}, \"action\": {\"target\":"
                    + " {\"virtualService\": {\"virtualServiceName\": \"s.local\"}}, \"rewrite\":"
                    + " {}}}}"),
            GR
                + "$.spec.httpRoute.action.rewrite: expected at least one of prefix, path, hostname"
                + " but got none"));
    cases.add(
        c(
            "a rewrite of prefix and path",
            gr(
                "{\"httpRoute\": {\"match\": {\"prefix\": \"/\"}, \"action\": {\"target\":"
                    + " {\"virtualService\": {\"virtualServiceName\": \"s.local\"}}, \"rewrite\":"
                    + " {\"prefix\": {\"defaultPrefix\": \"DISABLED\"}, \"path\": {\"exact\":"
                    + " \"/x\"}}}}}"),
            GR + "$.spec.httpRoute.action.rewrite: expected one of prefix or path but got both"));
    cases.add(
        c(
            "a prefix rewrite two ways, and one without its last slash",
            Map.of(
                "gr.json",
                gatewayRoute(
                    "g",
                    "gr",
                    "{\"httpRoute\": {\"match\": {\"prefix\": \"/\"}, \"action\": {\"target\":"
                        + " {\"virtualService\": {\"virtualServiceName\": \"s.local\"}}, \"rewrite\":"
                        + " {\"prefix\": {\"defaultPrefix\": \"ENABLED\", \"value\": \"/v2/\"}}}}}"),
                "gr2.json",
                gatewayRoute(
                    "g",
                    "gr2",
                    "{\"httpRoute\": {\"match\": {\"prefix\": \"/a/\"}, \"action\": {\"target\":"
                        + " {\"virtualService\": {\"virtualServiceName\": \"s.local\"}}, \"rewrite\":"
                        + " {\"prefix\": {\"value\": \"/v2\"}}}}}")),
            GR
                + "$.spec.httpRoute.action.rewrite.prefix: expected one of defaultPrefix or value but"
                + " got both",
            "gr2.json: gatewayRoute gr2 of virtualGateway g in mesh m:"
                + " $.spec.httpRoute.action.rewrite.prefix.value: expected a prefix that starts and"
                + " ends with / but got \"/v2\""));
    // Routes against the listeners they serve and send to.
    cases.add(
        c(
            "a route of another protocol than its router's (aws/aws-app-mesh-roadmap#82)",
            rt(RT_SPEC.replace("httpRoute", "http2Route")),
            RT
                + "$.spec.http2Route: virtualRouter r has no http2 listener (its listeners: http 8080);"
                + " an http2Route needs one (aws/aws-app-mesh-roadmap#82)",
            RT
                + "$.spec.http2Route.action.weightedTargets[0].virtualNode: virtualNode a listens on"
                + " port 8080 with http, not http2: an http2Route needs targets of its protocol (App"
                + " Mesh sent such traffic nowhere: aws/aws-app-mesh-roadmap#82)"));
    cases.add(
        c(
            "a route matching a port its router does not listen on",
            rt(http("{\"prefix\": \"/\", \"port\": 9090}", "")),
            RT
                + "$.spec.httpRoute.match.port: virtualRouter r has no http listener on port 9090 (its"
                + " listeners: http 8080)"));
    cases.add(
        c(
            "a route without a port on a router of two listeners",
            Map.of(
                "r.json",
                router(
                    "r",
                    "{\"listeners\": ["
                        + listener(8080, "http", "")
                        + ", "
                        + listener(8090, "http", "")
                        + "]}")),
            GR
                + "$.spec.httpRoute.action.target.port: required: virtualRouter r has 2 listeners"
                + " (http 8080, http 8090), so a target says which port it is sent to",
            RT
                + "$.spec.httpRoute.match.port: required: virtualRouter r has 2 listeners (http 8080,"
                + " http 8090), so a route says which port it serves"));
    cases.add(
        c(
            "a target port its node does not listen on",
            rt(RT_SPEC.replace("\"weight\": 1", "\"weight\": 1, \"port\": 9999")),
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].port: virtualNode a has no listener on"
                + " port 9999 (its listeners: http 8080)"));
    cases.add(
        c(
            "a target without a port, its node having two listeners",
            a(nodeSpec(listener(8080, "http", ""), listener(8082, "http", ""))),
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].port: required: virtualNode a has 2"
                + " listeners (http 8080, http 8082), so a target says which port it is sent to"));
    cases.add(
        c(
            "a target listening with another protocol (aws/aws-app-mesh-roadmap#82)",
            a(nodeSpec(listener(8080, "http2", ""))),
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].virtualNode: virtualNode a listens on"
                + " port 8080 with http2, not http: an httpRoute needs targets of its protocol (App"
                + " Mesh sent such traffic nowhere: aws/aws-app-mesh-roadmap#82)"));
    cases.add(
        c(
            "a target without listeners",
            a("{}"),
            RT
                + "$.spec.httpRoute.action.weightedTargets[0].virtualNode: virtualNode a has no"
                + " listeners to send traffic to"));
    cases.add(
        c(
            "a gateway route of another protocol than its gateway's",
            gr(
                "{\"grpcRoute\": {\"match\": {\"serviceName\": \"x.Y\"}, \"action\": {\"target\":"
                    + " {\"virtualService\": {\"virtualServiceName\": \"s.local\"}}}}}"),
            GR
                + "$.spec.grpcRoute: virtualGateway g has no grpc listener (its listeners: http 8088);"
                + " a grpcRoute needs one (aws/aws-app-mesh-roadmap#82)"));
    cases.add(
        c(
            "a gateway route without a port on a gateway of two listeners",
            Map.of(
                "g.json",
                gateway(
                    "g",
                    "{\"listeners\": ["
                        + listener(8088, "http", "")
                        + ", "
                        + listener(8089, "http", "")
                        + "]}")),
            GR
                + "$.spec.httpRoute.match.port: required: virtualGateway g has 2 listeners (http 8088,"
                + " http 8089), so a route says which port it serves"));
    cases.add(
        c(
            "a gateway target without a port, its provider having two listeners",
            Map.of(
                "r.json",
                router(
                    "r",
                    "{\"listeners\": ["
                        + listener(8080, "http", "")
                        + ", "
                        + listener(8090, "http", "")
                        + "]}"),
                "rt.json",
                route("r", "rt", http("{\"prefix\": \"/\", \"port\": 8080}", ""))),
            GR
                + "$.spec.httpRoute.action.target.port: required: virtualRouter r has 2 listeners (http"
                + " 8080, http 8090), so a target says which port it is sent to"));
    cases.add(
        c(
            "a gateway target port its provider does not listen on",
            gr(gatewayHttp("{\"prefix\": \"/\"}", ", \"port\": 9999")),
            GR
                + "$.spec.httpRoute.action.target.port: virtualRouter r has no listener on port 9999"
                + " (its listeners: http 8080)"));
    return cases.stream();
  }
}
