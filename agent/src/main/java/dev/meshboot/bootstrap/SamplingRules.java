package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.config.ConfigException;
import dev.meshboot.config.InputFiles;
import dev.meshboot.config.Variables;
import java.nio.file.Path;

/** X-Ray sampling-rules manifests: the one meshboot writes, and checks of the user's. */
final class SamplingRules {
  private SamplingRules() {}

  /**
   * A version 2 manifest whose default rule samples one request per second, then the rate.
   *
   * @param rate the rate, a plain decimal from 0 to 1
   */
  static SideFile manifest(Path path, String rate) {
    String json =
        "{\"version\":2,\"default\":{\"service_name\":\"\",\"host\":\"\",\"http_method\":\"\","
            + "\"url_path\":\"\",\"fixed_target\":1,\"rate\":"
            + rate
            + "},\"rules\":[]}\n";
    return new SideFile(path, json, Variables.MESHBOOT_XRAY_SAMPLING_RULES_FILE.name());
  }

  /** Envoy reads only version 2 manifests; version 1 was the X-Ray SDKs' old format. */
  static void checkUserManifest(Path path) {
    String name = Variables.XRAY_SAMPLING_RULE_MANIFEST.name();
    JsonElement version;
    try {
      version =
          JsonParser.parseString(InputFiles.read(path, name, InputFiles.CONFIG_LIMIT))
              .getAsJsonObject()
              .get("version");
    } catch (JsonParseException | IllegalStateException e) {
      throw new ConfigException(
          name, name + ": " + path + " is not a JSON object: " + e.getMessage());
    }
    if (version == null || !version.isJsonPrimitive() || !version.getAsString().equals("2")) {
      throw new ConfigException(
          name,
          name
              + ": "
              + path
              + " has version "
              + version
              + ", but Envoy reads only version 2 sampling-rules manifests; convert it to version 2");
    }
  }
}
