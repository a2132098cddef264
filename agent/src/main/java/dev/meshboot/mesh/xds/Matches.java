package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Int64Range;
import java.util.Locale;
import java.util.Optional;

/**
 * The match half of routes and gateway routes: path (prefix, exact, regex), headers and gRPC
 * metadata (exact, prefix, suffix, regex, range, inverted, or present), method, scheme, query
 * parameters (exact or present), gRPC service and method, gateway hostnames.
 */
final class Matches {

  private Matches() {}

  /**
   * An HTTP or HTTP/2 route's {@code match} ({@code HttpRouteMatch}, {@code
   * HttpGatewayRouteMatch}).
   */
  static RouteMatch.Builder http(Resource owner, JsonObject match, String path) {
    RouteMatch.Builder route = RouteMatch.newBuilder();
    Optional<JsonObject> pathMatch = Spec.object(match, "path");
    Optional<String> prefix = Spec.string(match, "prefix");
    if (pathMatch.isPresent() && Spec.string(pathMatch.get(), "exact").isPresent()) {
      route.setPath(Spec.string(pathMatch.get(), "exact").get());
    } else if (pathMatch.isPresent() && Spec.string(pathMatch.get(), "regex").isPresent()) {
      route.setSafeRegex(regex(Spec.string(pathMatch.get(), "regex").get()));
    } else {
      route.setPrefix(prefix.orElse("/"));
    }
    headers(owner, match, "headers", path, route);
    Spec.string(match, "method").ifPresent(method -> route.addHeaders(exact(":method", method)));
    Spec.string(match, "scheme").ifPresent(scheme -> route.addHeaders(exact(":scheme", scheme)));
    for (JsonObject parameter : Spec.objects(match, "queryParameters")) {
      QueryParameterMatcher.Builder query =
          QueryParameterMatcher.newBuilder().setName(Spec.string(parameter, "name").orElse(""));
      Optional<String> exact =
          Spec.object(parameter, "match").flatMap(m -> Spec.string(m, "exact"));
      if (exact.isPresent()) {
        query.setStringMatch(StringMatcher.newBuilder().setExact(exact.get()));
      } else {
        query.setPresentMatch(true);
      }
      route.addQueryParameters(query);
    }
    return route;
  }

  /**
   * A gRPC route's {@code match}: {@code /<service>/<method>} exactly, {@code /<service>/} as a
   * prefix, or every call; metadata as headers.
   */
  static RouteMatch.Builder grpc(Resource owner, JsonObject match, String path) {
    RouteMatch.Builder route = RouteMatch.newBuilder();
    Optional<String> service = Spec.string(match, "serviceName");
    Optional<String> method = Spec.string(match, "methodName");
    if (service.isPresent() && method.isPresent()) {
      route.setPath("/" + service.get() + "/" + method.get());
    } else if (service.isPresent()) {
      route.setPrefix("/" + service.get() + "/");
    } else {
      route.setPrefix("/");
    }
    headers(owner, match, "metadata", path, route);
    return route;
  }

  /**
   * A gateway route's {@code hostname} ({@code exact} or {@code suffix}) on the request's
   * authority, without its port (the gateway's connection manager strips it), ignoring case.
   */
  static void hostname(JsonObject match, RouteMatch.Builder route) {
    Spec.object(match, "hostname")
        .ifPresent(
            hostname -> {
              StringMatcher.Builder matcher = StringMatcher.newBuilder().setIgnoreCase(true);
              Optional<String> exact = Spec.string(hostname, "exact");
              if (exact.isPresent()) {
                matcher.setExact(exact.get());
              } else {
                matcher.setSuffix(Spec.string(hostname, "suffix").orElse(""));
              }
              route.addHeaders(
                  HeaderMatcher.newBuilder().setName(":authority").setStringMatch(matcher));
            });
  }

  static HeaderMatcher exact(String name, String value) {
    return HeaderMatcher.newBuilder()
        .setName(name)
        .setStringMatch(StringMatcher.newBuilder().setExact(value))
        .build();
  }

  private static void headers(
      Resource owner, JsonObject match, String member, String path, RouteMatch.Builder route) {
    int i = 0;
    for (JsonObject header : Spec.objects(match, member)) {
      route.addHeaders(header(owner, header, path + "." + member + "[" + i++ + "]"));
    }
  }

  private static HeaderMatcher header(Resource owner, JsonObject header, String path) {
    HeaderMatcher.Builder matcher =
        HeaderMatcher.newBuilder()
            .setName(
                Spec.string(header, "name")
                    .orElseThrow(() -> Spec.fail(owner, path + ".name", "a name is required"))
                    .toLowerCase(Locale.ROOT))
            .setInvertMatch(Spec.bool(header, "invert").orElse(false));
    Optional<JsonObject> match = Spec.object(header, "match");
    if (match.isEmpty()) {
      return matcher.setPresentMatch(true).build();
    }
    JsonObject how = match.get();
    Optional<JsonObject> range = Spec.object(how, "range");
    if (range.isPresent()) {
      // App Mesh's range is [start, end), as Envoy's.
      return matcher
          .setRangeMatch(
              Int64Range.newBuilder()
                  .setStart(Spec.number(range.get(), "start").orElse(0L))
                  .setEnd(Spec.number(range.get(), "end").orElse(0L)))
          .build();
    }
    StringMatcher.Builder string = StringMatcher.newBuilder();
    if (Spec.string(how, "exact").isPresent()) {
      string.setExact(Spec.string(how, "exact").get());
    } else if (Spec.string(how, "prefix").isPresent()) {
      string.setPrefix(Spec.string(how, "prefix").get());
    } else if (Spec.string(how, "suffix").isPresent()) {
      string.setSuffix(Spec.string(how, "suffix").get());
    } else if (Spec.string(how, "regex").isPresent()) {
      string.setSafeRegex(regex(Spec.string(how, "regex").get()));
    } else {
      throw Spec.fail(owner, path + ".match", "one of exact, prefix, suffix, regex, range");
    }
    return matcher.setStringMatch(string).build();
  }

  private static RegexMatcher regex(String regex) {
    return RegexMatcher.newBuilder().setRegex(regex).build();
  }
}
