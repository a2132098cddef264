package dev.meshboot.mesh.load;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of one shape that the App Mesh API model cannot express but the App Mesh API enforced
 * (its documentation, and the validation App Mesh's Kubernetes controller copied from it): one
 * route type per route, one of prefix or path, durations with a unit, retry policies that retry
 * something, a listener's connection pool for its own protocol, one listener per port... Each runs
 * on an object that fits its shape.
 */
final class ShapeRules {

  private interface Rule {
    void check(JsonObject object, String path, ShapeCheck.Report report);
  }

  static final List<String> ROUTE_TYPES =
      List.of("grpcRoute", "http2Route", "httpRoute", "tcpRoute");
  static final List<String> GATEWAY_ROUTE_TYPES = List.of("grpcRoute", "http2Route", "httpRoute");
  static final List<String> HTTP_RETRY_EVENTS =
      List.of("server-error", "gateway-error", "client-error", "stream-error");
  private static final List<String> RESERVED_PREFIXES = List.of("/aws-appmesh", "/aws-app-mesh");
  private static final List<String> RESERVED_SERVICES = List.of("aws.app-mesh", "aws.appmesh");

  private static final Map<String, Rule> RULES = new HashMap<>();

  static {
    RULES.put("RouteSpec", (o, p, r) -> exactlyOne(o, ROUTE_TYPES, p, r));
    RULES.put("GatewayRouteSpec", (o, p, r) -> exactlyOne(o, GATEWAY_ROUTE_TYPES, p, r));
    RULES.put("Duration", ShapeRules::duration);
    RULES.put(
        "HttpRetryPolicy",
        (o, p, r) -> retry(o, List.of("httpRetryEvents", "tcpRetryEvents"), p, r));
    RULES.put(
        "GrpcRetryPolicy",
        (o, p, r) ->
            retry(o, List.of("grpcRetryEvents", "httpRetryEvents", "tcpRetryEvents"), p, r));
    RULES.put("HttpRouteMatch", ShapeRules::routeMatch);
    RULES.put("HttpGatewayRouteMatch", ShapeRules::gatewayRouteMatch);
    RULES.put("HttpPathMatch", (o, p, r) -> exactlyOne(o, List.of("exact", "regex"), p, r));
    RULES.put(
        "GatewayRouteHostnameMatch", (o, p, r) -> exactlyOne(o, List.of("exact", "suffix"), p, r));
    RULES.put("GrpcRouteMatch", ShapeRules::grpcRouteMatch);
    RULES.put("GrpcGatewayRouteMatch", ShapeRules::grpcGatewayRouteMatch);
    RULES.put("QueryParameterMatch", (o, p, r) -> atLeastOne(o, List.of("exact"), p, r));
    RULES.put("MatchRange", ShapeRules::range);
    RULES.put("HttpGatewayRouteRewrite", ShapeRules::rewrite);
    RULES.put("HttpGatewayRoutePrefixRewrite", ShapeRules::prefixRewrite);
    RULES.put("HttpRouteAction", ShapeRules::weights);
    RULES.put("GrpcRouteAction", ShapeRules::weights);
    RULES.put("TcpRouteAction", ShapeRules::weights);
    RULES.put("Listener", ShapeRules::listener);
    RULES.put("VirtualGatewayListener", ShapeRules::listener);
    RULES.put("DnsServiceDiscovery", ShapeRules::dns);
    RULES.put("VirtualNodeSpec", ShapeRules::virtualNode);
    RULES.put("VirtualRouterSpec", (o, p, r) -> listeners(o, p, r, true));
    RULES.put("VirtualGatewaySpec", (o, p, r) -> listeners(o, p, r, true));
  }

  private ShapeRules() {}

  /** The shapes with rules of their own. */
  static Set<String> shapes() {
    return RULES.keySet();
  }

  /** Applies {@code shape}'s rules, if it has any, to {@code object} found at {@code path}. */
  static void check(String shape, JsonObject object, String path, ShapeCheck.Report report) {
    Rule rule = RULES.get(shape);
    if (rule != null) {
      rule.check(object, path, report);
    }
  }

  private static void exactlyOne(
      JsonObject object, List<String> members, String path, ShapeCheck.Report report) {
    List<String> present = Json.present(object, members);
    if (present.size() != 1) {
      report.error(
          path,
          "expected exactly one of "
              + String.join(", ", members)
              + " but got "
              + (present.isEmpty() ? "none" : String.join(", ", present)));
    }
  }

  private static void atLeastOne(
      JsonObject object, List<String> members, String path, ShapeCheck.Report report) {
    if (!Json.present(object, members).isEmpty()) {
      return;
    }
    if (members.size() == 1) {
      report.error(Values.path(path, members.get(0)), "required but missing");
    } else {
      report.error(
          path, "expected at least one of " + String.join(", ", members) + " but got none");
    }
  }

  private static void notBoth(
      JsonObject object, String one, String other, String path, ShapeCheck.Report report) {
    if (object.has(one) && object.has(other)) {
      report.error(path, "expected one of " + one + " or " + other + " but got both");
    }
  }

  private static void duration(JsonObject duration, String path, ShapeCheck.Report report) {
    for (String member : List.of("value", "unit")) {
      if (!duration.has(member)) {
        report.error(
            Values.path(path, member),
            "required but missing (a duration has a value and a unit: {\"value\": 15, \"unit\":"
                + " \"s\"})");
      }
    }
  }

  private static void retry(
      JsonObject policy, List<String> events, String path, ShapeCheck.Report report) {
    atLeastOne(policy, events, path, report);
    List<String> http = Json.texts(policy, "httpRetryEvents");
    for (int i = 0; i < http.size(); i++) {
      if (!HTTP_RETRY_EVENTS.contains(http.get(i))) {
        report.error(
            path + ".httpRetryEvents[" + i + "]",
            "expected one of "
                + String.join(", ", HTTP_RETRY_EVENTS)
                + " but got \""
                + http.get(i)
                + "\"");
      }
    }
  }

  private static void routeMatch(JsonObject match, String path, ShapeCheck.Report report) {
    exactlyOne(match, List.of("prefix", "path"), path, report);
    prefix(match, path, report);
  }

  private static void gatewayRouteMatch(JsonObject match, String path, ShapeCheck.Report report) {
    atLeastOne(match, List.of("prefix", "path", "hostname"), path, report);
    notBoth(match, "prefix", "path", path, report);
    prefix(match, path, report);
  }

  private static void prefix(JsonObject match, String path, ShapeCheck.Report report) {
    String prefix = Json.text(match, "prefix");
    if (prefix == null) {
      return;
    }
    if (!prefix.startsWith("/")) {
      report.error(
          path + ".prefix", "expected a path prefix starting with / but got \"" + prefix + "\"");
    }
    for (String reserved : RESERVED_PREFIXES) {
      if (prefix.startsWith(reserved)) {
        report.error(
            path + ".prefix",
            "prefixes starting with /aws-appmesh or /aws-app-mesh are reserved by App Mesh");
        return;
      }
    }
  }

  private static void grpcRouteMatch(JsonObject match, String path, ShapeCheck.Report report) {
    if (match.has("methodName") && !match.has("serviceName")) {
      report.error(path + ".serviceName", "required with methodName (the method's service)");
    }
    service(match, path, report);
  }

  private static void grpcGatewayRouteMatch(
      JsonObject match, String path, ShapeCheck.Report report) {
    atLeastOne(match, List.of("serviceName", "hostname"), path, report);
    service(match, path, report);
  }

  private static void service(JsonObject match, String path, ShapeCheck.Report report) {
    String service = Json.text(match, "serviceName");
    if (service != null
        && RESERVED_SERVICES.stream()
            .anyMatch(r -> service.startsWith(r) || service.startsWith("/" + r))) {
      report.error(
          path + ".serviceName",
          "service names starting with aws.app-mesh or aws.appmesh are reserved by App Mesh");
    }
  }

  private static void range(JsonObject range, String path, ShapeCheck.Report report) {
    long start = range.get("start").getAsLong();
    long end = range.get("end").getAsLong();
    if (start >= end) {
      report.error(
          path + ".end",
          "expected more than start (" + start + "; the range excludes its end) but got " + end);
    }
  }

  private static void rewrite(JsonObject rewrite, String path, ShapeCheck.Report report) {
    atLeastOne(rewrite, List.of("prefix", "path", "hostname"), path, report);
    notBoth(rewrite, "prefix", "path", path, report);
  }

  private static void prefixRewrite(JsonObject rewrite, String path, ShapeCheck.Report report) {
    notBoth(rewrite, "defaultPrefix", "value", path, report);
    String value = Json.text(rewrite, "value");
    if (value != null && !(value.startsWith("/") && value.endsWith("/"))) {
      report.error(
          path + ".value",
          "expected a prefix that starts and ends with / but got \"" + value + "\"");
    }
  }

  /** The weights are relative; App Mesh's API took sums over 100 (boto/boto3#3792), not zero. */
  private static void weights(JsonObject action, String path, ShapeCheck.Report report) {
    long sum = 0;
    for (JsonObject target : Json.objects(action, "weightedTargets")) {
      Integer weight = Json.integer(target, "weight");
      sum += weight == null ? 0 : weight;
    }
    if (sum == 0) {
      report.error(
          path + ".weightedTargets", "the weights add up to 0: no target would get any traffic");
    }
  }

  /** A listener's connection pool, timeout and health check are for its own protocol and port. */
  private static void listener(JsonObject listener, String path, ShapeCheck.Report report) {
    JsonObject mapping = Json.object(listener, "portMapping");
    if (mapping == null) {
      return;
    }
    String protocol = Json.text(mapping, "protocol");
    for (String part : List.of("connectionPool", "timeout")) {
      JsonObject byProtocol = Json.object(listener, part);
      if (byProtocol == null || protocol == null) {
        continue;
      }
      for (String given : byProtocol.keySet()) {
        if (!given.equals(protocol)) {
          report.error(
              path + "." + part + "." + given,
              "for "
                  + given
                  + " but the listener is "
                  + protocol
                  + "; expected "
                  + part
                  + "."
                  + protocol);
        }
      }
    }
    JsonObject health = Json.object(listener, "healthCheck");
    Integer port = Json.integer(mapping, "port");
    Integer checked = health == null ? null : Json.integer(health, "port");
    if (checked != null && port != null && !checked.equals(port)) {
      report.error(
          path + ".healthCheck.port",
          "expected the listener's port " + port + " but got " + checked);
    }
  }

  private static void dns(JsonObject dns, String path, ShapeCheck.Report report) {
    String hostname = Json.text(dns, "hostname");
    if (hostname != null && hostname.isBlank()) {
      report.error(path + ".hostname", "expected a hostname but got \"" + hostname + "\"");
    }
  }

  private static void virtualNode(JsonObject spec, String path, ShapeCheck.Report report) {
    listeners(spec, path, report, false);
    if (!Json.objects(spec, "listeners").isEmpty() && !spec.has("serviceDiscovery")) {
      report.error(
          path + ".serviceDiscovery",
          "required with listeners (how the node's instances are found)");
    }
    Map<String, Integer> backends = new HashMap<>();
    List<JsonObject> list = Json.objects(spec, "backends");
    for (int i = 0; i < list.size(); i++) {
      JsonObject service = Json.object(list.get(i), "virtualService");
      String name = service == null ? null : Json.text(service, "virtualServiceName");
      if (name == null) {
        continue;
      }
      Integer first = backends.putIfAbsent(name, i);
      if (first != null) {
        report.error(
            path + ".backends[" + i + "].virtualService.virtualServiceName",
            "\"" + name + "\" is already the backend at " + path + ".backends[" + first + "]");
      }
    }
  }

  /** One listener per port; a router or gateway needs one. */
  private static void listeners(
      JsonObject spec, String path, ShapeCheck.Report report, boolean required) {
    List<JsonObject> listeners = Json.objects(spec, "listeners");
    if (required && listeners.isEmpty()) {
      report.error(
          path + ".listeners", "expected at least one listener (the port and protocol it serves)");
    }
    Map<Integer, Integer> ports = new HashMap<>();
    for (int i = 0; i < listeners.size(); i++) {
      JsonObject mapping = Json.object(listeners.get(i), "portMapping");
      Integer port = mapping == null ? null : Json.integer(mapping, "port");
      if (port == null) {
        continue;
      }
      Integer first = ports.putIfAbsent(port, i);
      if (first != null) {
        report.error(
            path + ".listeners[" + i + "].portMapping.port",
            "port " + port + " is already the port of " + path + ".listeners[" + first + "]");
      }
    }
  }
}
