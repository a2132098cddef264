package dev.meshboot.mesh.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;

/**
 * Reads one JSON value strictly with Gson's streaming reader: no comments, single quotes, unquoted
 * text, NaN or trailing data; a key twice in one object is an error (Gson's tree parser keeps the
 * last one silently); nesting and number length are bounded, so neither recursion nor BigInteger
 * parsing (quadratic) can be driven by the input.
 */
final class StrictJson {

  /** Deeper than any App Mesh resource (a spec nests about a dozen levels). */
  static final int MAX_DEPTH = 100;

  /** Longer than any number the App Mesh API takes (a long has 19 digits). */
  static final int MAX_NUMBER_LENGTH = 100;

  /** Why a text is not strict JSON; the message says where. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  private StrictJson() {}

  static JsonElement parse(String text) throws Malformed {
    JsonReader in = new JsonReader(new StringReader(text));
    in.setLenient(false);
    try {
      JsonElement value = read(in, 0);
      if (in.peek() != JsonToken.END_DOCUMENT) {
        throw new Malformed("more than one JSON value" + where(in));
      }
      return value;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // Gson's advice to be lenient is not ours to give: name what is wrong instead.
      throw new Malformed(
          String.valueOf(e.getMessage())
              .replace(
                  "Use JsonReader.setLenient(true) to accept malformed JSON",
                  "not strict JSON (comments, single quotes, unquoted text, NaN or trailing data)"));
    }
  }

  private static JsonElement read(JsonReader in, int depth) throws IOException, Malformed {
    JsonToken token = in.peek();
    if (token == JsonToken.BEGIN_OBJECT || token == JsonToken.BEGIN_ARRAY) {
      if (depth >= MAX_DEPTH) {
        throw new Malformed("nested deeper than " + MAX_DEPTH + " levels" + line(in));
      }
      return token == JsonToken.BEGIN_OBJECT ? object(in, depth) : array(in, depth);
    } else if (token == JsonToken.STRING) {
      return new JsonPrimitive(in.nextString());
    } else if (token == JsonToken.NUMBER) {
      return number(in);
    } else if (token == JsonToken.BOOLEAN) {
      return new JsonPrimitive(in.nextBoolean());
    } else if (token == JsonToken.NULL) {
      in.nextNull();
      return JsonNull.INSTANCE;
    }
    throw new Malformed("expected a value but got " + token + where(in));
  }

  private static JsonObject object(JsonReader in, int depth) throws IOException, Malformed {
    JsonObject object = new JsonObject();
    in.beginObject();
    while (in.hasNext()) {
      String name = in.nextName();
      if (object.has(name)) {
        throw new Malformed("duplicate key \"" + name + "\"" + where(in));
      }
      object.add(name, read(in, depth + 1));
    }
    in.endObject();
    return object;
  }

  private static JsonArray array(JsonReader in, int depth) throws IOException, Malformed {
    JsonArray array = new JsonArray();
    in.beginArray();
    while (in.hasNext()) {
      array.add(read(in, depth + 1));
    }
    in.endArray();
    return array;
  }

  /**
   * Integers stay exact (Long, else BigInteger); anything with a fraction or exponent is Double.
   */
  private static JsonPrimitive number(JsonReader in) throws IOException, Malformed {
    String literal = in.nextString();
    if (literal.length() > MAX_NUMBER_LENGTH) {
      throw new Malformed("a number of more than " + MAX_NUMBER_LENGTH + " characters" + where(in));
    }
    if (literal.indexOf('.') >= 0 || literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0) {
      return new JsonPrimitive(Double.parseDouble(literal));
    }
    return literal.length() <= 18
        ? new JsonPrimitive(Long.parseLong(literal))
        : new JsonPrimitive(new BigInteger(literal));
  }

  /** Where the reader is, without the path (which is as long as the nesting is deep). */
  private static String line(JsonReader in) {
    String where = where(in);
    int path = where.indexOf(" path ");
    return path < 0 ? where : where.substring(0, path);
  }

  /** Gson's reader says where it is: {@code at line 3 column 5 path $.spec}. */
  private static String where(JsonReader in) {
    String location = in.toString();
    int at = location.indexOf(" at line ");
    return at < 0 ? "" : location.substring(at);
  }
}
