package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Pattern;

/** How errors show JSON values and paths. */
final class Values {

  private static final int SHOWN = 80;
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,100}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Values() {}

  /** {@code $.spec.listeners}, or {@code $["odd key"]} for a key that is not an identifier. */
  static String path(String parent, String member) {
    return IDENTIFIER.matcher(member).matches()
        ? parent + "." + member
        : parent + "[" + new JsonPrimitive(member) + "]";
  }

  /** A value as an error shows it: strings quoted (and cut), numbers as written, else its kind. */
  static String describe(JsonElement value) {
    if (value.isJsonNull()) {
      return "null";
    } else if (value.isJsonObject()) {
      return "an object";
    } else if (value.isJsonArray()) {
      return "a list";
    }
    JsonPrimitive primitive = value.getAsJsonPrimitive();
    if (primitive.isString() && primitive.getAsString().length() > SHOWN) {
      String text = primitive.getAsString();
      return new JsonPrimitive(text.substring(0, SHOWN)) + "... (" + text.length() + " characters)";
    }
    return primitive.toString();
  }

  /**
   * The value as an exact integer, if it is one (a fraction, even 1.0, is not: botocore agrees).
   */
  static Optional<BigInteger> integer(JsonElement value) {
    if (!(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber())) {
      return Optional.empty();
    }
    Number number = value.getAsNumber();
    if (number instanceof BigInteger big) {
      return Optional.of(big);
    } else if (number instanceof Long
        || number instanceof Integer
        || number instanceof Short
        || number instanceof Byte) {
      return Optional.of(BigInteger.valueOf(number.longValue()));
    }
    // Gson's own trees hold numbers as their text: an integer is one written without a fraction.
    String text = number.toString();
    return INTEGER.matcher(text).matches() ? Optional.of(new BigInteger(text)) : Optional.empty();
  }
}
