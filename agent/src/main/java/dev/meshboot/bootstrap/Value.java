package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;

/**
 * A value for a template placeholder and where it came from.
 *
 * @param json the value
 * @param source what {@code --explain} names as its origin
 */
public record Value(JsonElement json, String source) {

  public static Value of(String text, String source) {
    return new Value(new JsonPrimitive(text), source);
  }

  public static Value of(Number number, String source) {
    return new Value(new JsonPrimitive(number), source);
  }

  public static Value of(boolean flag, String source) {
    return new Value(new JsonPrimitive(flag), source);
  }
}
