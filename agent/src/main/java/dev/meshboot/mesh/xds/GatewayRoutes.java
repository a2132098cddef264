package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A virtual gateway's routes for one listener, as App Mesh made them (user guide "Gateway routes"
 * and "Virtual gateways"; a 2022 config dump): each sends the request back into the gateway's own
 * egress listener (the self-redirect cluster), where the target virtual service's routes apply,
 * with the authority rewritten to the virtual service's name and a matched prefix rewritten to
 * {@code /} unless the gateway route says otherwise. Order: {@code priority}, then the longest
 * match, then the name.
 */
final class GatewayRoutes {

  /**
   * The header that names the target virtual service when the authority is kept ({@code
   * defaultTargetHostname: DISABLED}), as in App Mesh's config dumps.
   */
  static final String TARGET_HEADER = "x-app-mesh-virtual-service";

  /** A gateway route's target: the virtual service, its port if given, whether Host is kept. */
  record Target(Resource route, String service, Optional<Integer> port, boolean keepsHost) {}

  /** How to address a target at the gateway's egress listener. */
  interface Authorities {
    String of(Target target);
  }

  private record Candidate(Resource route, JsonObject spec, RouteMatch match) {}

  private GatewayRoutes() {}

  /** The gateway routes of {@code listener}'s protocol that apply to its port. */
  static List<Resource> applying(List<Resource> routes, PortListener listener) {
    return RouterRoutes.applying(routes, listener);
  }

  /** The target of {@code route}, a gateway route of {@code type}. */
  static Target target(Resource route, String type) {
    JsonObject spec = Spec.object(route.spec(), type).orElseThrow();
    String path = "spec." + type + ".action.target";
    JsonObject target =
        Spec.object(spec, "action")
            .flatMap(action -> Spec.object(action, "target"))
            .orElseThrow(() -> Spec.fail(route, path, "a target is required"));
    String service =
        Spec.object(target, "virtualService")
            .flatMap(vs -> Spec.string(vs, "virtualServiceName"))
            .orElseThrow(
                () -> Spec.fail(route, path + ".virtualService", "a virtual service is required"));
    boolean keepsHost =
        rewrite(spec)
            .flatMap(rewrite -> Spec.object(rewrite, "hostname"))
            .flatMap(hostname -> Spec.string(hostname, "defaultTargetHostname"))
            .orElse("ENABLED")
            .equals("DISABLED");
    return new Target(route, service, Spec.number(target, "port").map(Long::intValue), keepsHost);
  }

  /** The routes of {@code listener}, each to {@code cluster}. */
  static List<Route> routes(
      List<Resource> routes, PortListener listener, String cluster, Authorities authorities) {
    String type = RouterRoutes.type(listener.protocol());
    boolean grpc = listener.protocol().equals("grpc");
    List<Candidate> candidates = new ArrayList<>();
    for (Resource route : applying(routes, listener)) {
      JsonObject spec = Spec.object(route.spec(), type).orElseThrow();
      JsonObject match = Spec.object(spec, "match").orElse(new JsonObject());
      String path = "spec." + type + ".match";
      RouteMatch.Builder envoy =
          grpc ? Matches.grpc(route, match, path) : Matches.http(route, match, path);
      Matches.hostname(match, envoy);
      candidates.add(new Candidate(route, spec, envoy.build()));
    }
    candidates.sort(ORDER);
    List<Route> out = new ArrayList<>();
    for (Candidate candidate : candidates) {
      Target target = target(candidate.route(), type);
      RouteAction.Builder action =
          RouteAction.newBuilder()
              .setCluster(cluster)
              // The target's own routes time the request out on the second pass.
              .setTimeout(Spec.seconds(0));
      Route.Builder route = Route.newBuilder().setName(candidate.route().name());
      if (target.keepsHost()) {
        route.addRequestHeadersToAdd(
            HeaderValueOption.newBuilder()
                .setHeader(
                    HeaderValue.newBuilder().setKey(TARGET_HEADER).setValue(authorities.of(target)))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
      } else {
        action.setHostRewriteLiteral(authorities.of(target));
      }
      RouteMatch match = candidate.match();
      Optional<JsonObject> rewrite = rewrite(candidate.spec());
      Optional<String> exactPath =
          rewrite.flatMap(r -> Spec.object(r, "path")).flatMap(p -> Spec.string(p, "exact"));
      if (exactPath.isPresent()) {
        action.setRegexRewrite(
            RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex("^.*$"))
                .setSubstitution(exactPath.get()));
      } else if (match.hasPrefix() && !grpc) {
        Optional<JsonObject> prefix = rewrite.flatMap(r -> Spec.object(r, "prefix"));
        Optional<String> value = prefix.flatMap(p -> Spec.string(p, "value"));
        boolean keepPrefix =
            prefix.flatMap(p -> Spec.string(p, "defaultPrefix")).orElse("").equals("DISABLED");
        if (value.isPresent()) {
          action.setPrefixRewrite(value.get());
        } else if (!keepPrefix && !match.getPrefix().equals("/")) {
          action.setPrefixRewrite("/");
          if (!match.getPrefix().endsWith("/")) {
            // "/chapter" rewritten to "/": "/chapter/1" must become "/1", not "//1".
            out.add(
                route
                    .clone()
                    .setMatch(match.toBuilder().setPrefix(match.getPrefix() + "/"))
                    .setRoute(action.clone())
                    .build());
          }
        }
      }
      out.add(route.setMatch(match).setRoute(action).build());
    }
    return out;
  }

  private static Optional<JsonObject> rewrite(JsonObject spec) {
    return Spec.object(spec, "action").flatMap(action -> Spec.object(action, "rewrite"));
  }

  private static final Comparator<Candidate> ORDER =
      Comparator.<Candidate>comparingLong(
              c -> Spec.number(c.route().spec(), "priority").orElse(Long.MAX_VALUE))
          .thenComparing(c -> -RouterRoutes.length(c.match()))
          .thenComparing(c -> -(c.match().getHeadersCount() + c.match().getQueryParametersCount()))
          .thenComparing(c -> c.route().name());
}
