package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WrittenBootstrapTest {

  /** SO_REUSEPORT is SOL_SOCKET (1) / 15 with a non-zero value, numbers as JSON or as strings. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"level\": \"1\", \"name\": \"15\", \"int_value\": \"1\"} | true",
        "{\"level\": 1, \"name\": 15, \"int_value\": 1, \"state\": \"STATE_PREBIND\"} | true",
        "{\"level\": \"1\", \"name\": \"15\", \"int_value\": \"0\"} | false",
        "{\"level\": \"1\", \"name\": \"15\", \"buf_value\": \"AQAAAA==\"} | false",
        "{\"level\": \"1\", \"name\": \"2\", \"int_value\": \"1\"} | false",
        "{\"level\": \"6\", \"name\": \"15\", \"int_value\": \"1\"} | false"
      })
  void readsWhetherTheAdminSetsSoReuseport(String option, boolean reuses, @TempDir Path tmp)
      throws Exception {
    Path file = tmp.resolve("envoy.json");
    Files.writeString(
        file,
        "{\"admin\": {\"address\": {\"socket_address\": {\"address\": \"127.0.0.1\","
            + " \"port_value\": 9901}}, \"socket_options\": ["
            + option
            + "]}}");
    assertThat(WrittenBootstrap.read(file).adminReusesPort()).isEqualTo(reuses);
  }
}
