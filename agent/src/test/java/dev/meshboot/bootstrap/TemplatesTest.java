package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {

  @Test
  void wholePlaceholdersKeepTheirTypeAndMissingOnesRemoveTheKey() {
    List<Provenance> provenance = new ArrayList<>();
    JsonElement json =
        Templates.render(
            "admin-tcp",
            Map.of(
                "admin.access_log", Value.of("/tmp/a.log", "A"),
                "admin.address", Value.of("127.0.0.1", "B"),
                "admin.port", Value.of(9901, "C")),
            provenance::add);
    assertThat(
            json.getAsJsonObject()
                .getAsJsonObject("admin")
                .getAsJsonObject("address")
                .getAsJsonObject("socket_address")
                .toString())
        .isEqualTo("{\"address\":\"127.0.0.1\",\"port_value\":9901}");
    assertThat(provenance)
        .contains(new Provenance("admin.address.socket_address.port_value", "9901", "C"));
    assertThat(provenance).anyMatch(p -> p.source().equals("template admin-tcp"));
  }

  @Test
  void everyTemplateFileIsListed() throws Exception {
    for (String name : Templates.NAMES) {
      assertThat(Templates.load(name).isJsonObject()).as(name).isTrue();
    }
  }
}
