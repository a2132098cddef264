package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generic check for what the App Mesh model has outside the shapes definitions reach today
 * (patterns live only under the refused Cloud Map members; no map, double or timestamp is
 * reachable), on a small model of its own, so a later model that uses them is checked too.
 */
class ShapeCheckTest {

  private static final ApiModel MODEL =
      ApiModel.parse(
          """
          {"metadata": {"apiVersion": "test"},
           "shapes": {
             "Top": {"type": "structure", "required": ["name"], "members": {
               "name": {"shape": "Name"}, "labels": {"shape": "Labels"}, "ratio": {"shape": "Ratio"},
               "at": {"shape": "At"}, "count": {"shape": "Count"}, "big": {"shape": "Big"}}},
             "Name": {"type": "string", "min": 1, "max": 8, "pattern": "^[a-z]+$"},
             "Labels": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Count"}, "max": 2},
             "Ratio": {"type": "double", "min": 0, "max": 1},
             "At": {"type": "timestamp"},
             "Count": {"type": "integer"},
             "Big": {"type": "long", "min": 0}}}""");

  private static List<String> errors(String json) {
    List<String> errors = new ArrayList<>();
    new ShapeCheck(MODEL)
        .check(
            JsonParser.parseString(json),
            "Top",
            "$",
            List.of(),
            (p, m) -> errors.add(p + ": " + m));
    return errors;
  }

  @Test
  void checksPatterns() {
    assertThat(errors("{\"name\": \"abc\"}")).isEmpty();
    assertThat(errors("{\"name\": \"a-b\"}"))
        .containsExactly("$.name: expected text matching ^[a-z]+$ but got \"a-b\"");
  }

  @Test
  void checksMaps() {
    assertThat(errors("{\"name\": \"a\", \"labels\": {\"x\": 1}}")).isEmpty();
    assertThat(errors("{\"name\": \"a\", \"labels\": {\"X\": \"1\", \"y\": 2, \"z\": 3}}"))
        .containsExactly(
            "$.labels: expected at most 2 entries but got 3",
            "$.labels.X: expected text matching ^[a-z]+$ but got \"X\"",
            "$.labels.X: expected an integer but got \"1\"");
  }

  @Test
  void checksNumbersOfEveryWidth() {
    assertThat(errors("{\"name\": \"a\", \"ratio\": 0.5, \"count\": 7, \"big\": 4000000000}"))
        .isEmpty();
    assertThat(
            errors(
                "{\"name\": \"a\", \"ratio\": 1.5, \"count\": 4000000000, \"big\": -1, \"at\": true}"))
        .containsExactly(
            "$.ratio: expected 0 to 1 but got 1.5",
            "$.count: expected at most 2147483647 but got 4000000000",
            "$.big: expected at least 0 but got -1",
            "$.at: expected a timestamp but got true");
    assertThat(errors("{\"name\": \"a\", \"big\": 99999999999999999999}"))
        .containsExactly(
            "$.big: expected at most 9223372036854775807 but got 99999999999999999999");
  }

  @Test
  void longTextIsShownCut() {
    assertThat(errors("{\"name\": \"" + "a".repeat(100) + "\"}"))
        .containsExactly("$.name: expected 1 to 8 characters but got 100");
    assertThat(errors("{\"name\": 5, \"x" + "y".repeat(3) + "\": 1}"))
        .containsExactly(
            "$.name: expected a string but got 5",
            "$.xyyy: unknown member; expected one of name, labels, ratio, at, count, big");
    assertThat(Values.describe(JsonParser.parseString("\"" + "b".repeat(90) + "\"")))
        .isEqualTo("\"" + "b".repeat(80) + "\"... (90 characters)");
    assertThat(Values.path("$", "odd key")).isEqualTo("$[\"odd key\"]");
  }
}
