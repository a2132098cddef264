package dev.meshboot.server;

import com.google.gson.GsonBuilder;
import java.util.Map;

/**
 * JSON for the management API's answers (Gson, already a dependency through protobuf-java-util).
 */
final class Json {
  private Json() {}

  static String of(Map<String, Object> value) {
    return new GsonBuilder()
        .serializeNulls()
        .setPrettyPrinting()
        .disableHtmlEscaping()
        .create()
        .toJson(value);
  }
}
