package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The listener tag regexes meshboot writes extract the same tags as App Mesh's (the contract's
 * {@code .*?\.ingress\....} forms) from every stat name: Envoy searches each name for a match
 * (std::regex_search) and takes the first group as the part removed from the name, the second as
 * the tag's value. Checked with java.util.regex, a backtracking engine with ECMAScript's semantics
 * for these constructs, on the stat names Envoy creates for App Mesh's ingress and egress listeners
 * and on names built to trip a changed regex.
 */
class ListenerTagsTest {

  /** App Mesh's regexes, as its agent wrote them (appmesh-env-contract.md §4). */
  private static final Map<String, String> APP_MESH =
      Map.of(
          "appmesh.listener_protocol", ".*?\\.ingress\\.((\\w+?)\\.)[0-9]+?\\.(.+?)$",
          "appmesh.listener_port", ".*?\\.ingress\\.\\w+?\\.(([0-9]+?)\\.)(.+?)$",
          "envoy_rds_route_config", ".*?\\.ingress\\.\\w+?\\.[0-9]+?\\.rds\\.((.*?)\\.)(.+?)$");

  @Test
  void theTagsEqualAppMeshsOnEveryStatName() {
    Map<String, String> ours = rendered();
    assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(APP_MESH.keySet());
    List<String> names = statNames();
    int tagged = 0;
    for (Map.Entry<String, String> tag : ours.entrySet()) {
      Pattern theirs = Pattern.compile(APP_MESH.get(tag.getKey()));
      Pattern mine = Pattern.compile(tag.getValue());
      for (String name : names) {
        String expected = extracted(theirs, name);
        assertThat(extracted(mine, name)).as(tag.getKey() + " on " + name).isEqualTo(expected);
        if (!expected.isEmpty()) {
          tagged++;
        }
      }
    }
    // the corpus exercises the regexes, not only names they leave alone
    assertThat(tagged).isGreaterThan(50);
  }

  @Test
  void theRegexesNoLongerStartWithALazyScan() {
    rendered().values().forEach(regex -> assertThat(regex).startsWith("\\.ingress\\."));
  }

  /** What Envoy takes from a name: the removed part and the value, or nothing without a match. */
  private static String extracted(Pattern pattern, String name) {
    Matcher matcher = pattern.matcher(name);
    if (!matcher.find()) {
      return "";
    }
    String removed = name.substring(matcher.start(1), matcher.end(1));
    String value = matcher.groupCount() > 1 ? matcher.group(2) : removed;
    return matcher.start(1) + ":" + removed + "=" + value;
  }

  /** The stats_tags of the listener-tags template, tag name to regex. */
  private static Map<String, String> rendered() {
    JsonElement json = Templates.render("listener-tags", Map.of(), provenance -> {});
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonElement tag :
        json.getAsJsonObject().getAsJsonObject("stats_config").getAsJsonArray("stats_tags")) {
      tags.put(
          tag.getAsJsonObject().get("tag_name").getAsString(),
          tag.getAsJsonObject().get("regex").getAsString());
    }
    return tags;
  }

  /**
   * Stat names of App Mesh's listeners (HTTP connection manager, listener, RDS and TCP proxy stats
   * under the stat prefixes {@code ingress}, {@code ingress.<protocol>.<port>} and {@code egress}),
   * and names with several {@code .ingress.} parts, odd ports and no dots.
   */
  private static List<String> statNames() {
    List<String> prefixes =
        List.of(
            "ingress",
            "egress",
            "ingress.http.8080",
            "ingress.http2.9080",
            "ingress.grpc.50051",
            "ingress.tcp.7000",
            "ingress.http.8080.ingress.tcp.90",
            "ingress.x.ingress.http.1",
            "ingress.http.port",
            "ingress.http.",
            "ingress..8080",
            "ingress.h_1.0");
    List<String> wrappers =
        List.of(
            "http.%s.downstream_rq_2xx",
            "http.%s.rds.rds_ingress_http_8080.config_reload",
            "http.%s.rds.rds.ingress.http.1.update_success",
            "http.%s.rds.",
            "listener.0.0.0.0_15000.http.%s.downstream_rq_completed",
            "listener.0.0.0.0_15000.%s.downstream_cx_total",
            "tcp.%s.downstream_cx_total",
            "vhost.%s.vcluster.other.upstream_rq_retry",
            "%s",
            "%s.x",
            "cluster.cds_egress_mesh_svc.%s.upstream_rq_200");
    List<String> names = new ArrayList<>();
    for (String wrapper : wrappers) {
      for (String prefix : prefixes) {
        names.add(wrapper.formatted(prefix));
      }
    }
    names.addAll(
        List.of("", ".", ".ingress.", "ingress", "a.ingress.http.80", "a.ingress.http.80.b"));
    return names;
  }
}
