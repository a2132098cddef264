package dev.meshboot.bootstrap;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values for templates' {@code ${name}} placeholders, each with the fragment that supplied it.
 * Immutable: every fragment returns its own and {@link Fragments} merges them with {@link #and},
 * which refuses a name that two fragments both supply, because one silently replacing the other
 * would render whichever came last.
 */
final class Placeholders {

  /** No values: what the merge of every fragment's starts from. */
  static final Placeholders NONE = new Placeholders(Map.of(), Map.of());

  /** In the order they were supplied, so that a listing of them is stable. */
  private final Map<String, Value> values;

  /** The fragment that supplied each name, for the error when another supplies it too. */
  private final Map<String, String> suppliers;

  private Placeholders(Map<String, Value> values, Map<String, String> suppliers) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.suppliers = Collections.unmodifiableMap(new LinkedHashMap<>(suppliers));
  }

  /**
   * Starts the values of one fragment.
   *
   * @param fragment names the fragment in the error when a name is supplied twice
   */
  static Builder builder(String fragment) {
    return new Builder(fragment);
  }

  /** A fragment's single value. */
  static Placeholders of(String fragment, String name, Value value) {
    return builder(fragment).put(name, value).build();
  }

  /** The values by placeholder name, unmodifiable, in the order they were supplied. */
  Map<String, Value> values() {
    return values;
  }

  /**
   * These values followed by {@code other}'s.
   *
   * @throws IllegalStateException when both supply a name
   */
  Placeholders and(Placeholders other) {
    Map<String, Value> mergedValues = new LinkedHashMap<>(values);
    Map<String, String> mergedSuppliers = new LinkedHashMap<>(suppliers);
    other.values.forEach(
        (name, value) -> {
          String supplier = other.suppliers.get(name);
          String earlier = mergedSuppliers.putIfAbsent(name, supplier);
          if (earlier != null) {
            throw new IllegalStateException(
                "placeholder ${"
                    + name
                    + "} is supplied by both fragment "
                    + earlier
                    + " and fragment "
                    + supplier);
          }
          mergedValues.put(name, value);
        });
    return new Placeholders(mergedValues, mergedSuppliers);
  }

  /** Collects one fragment's values in order; a name given twice fails rather than replaces. */
  static final class Builder {

    private final String fragment;
    private final Map<String, Value> values = new LinkedHashMap<>();

    private Builder(String fragment) {
      this.fragment = fragment;
    }

    /**
     * Adds a value.
     *
     * @throws IllegalStateException when the fragment already supplied {@code name}
     */
    Builder put(String name, Value value) {
      if (values.putIfAbsent(name, value) != null) {
        throw new IllegalStateException(
            "placeholder ${" + name + "} is supplied twice by fragment " + fragment);
      }
      return this;
    }

    /** The values so far; the builder stays usable, and later puts do not change the result. */
    Placeholders build() {
      Map<String, String> suppliers = new LinkedHashMap<>();
      values.keySet().forEach(name -> suppliers.put(name, fragment));
      return new Placeholders(values, suppliers);
    }
  }
}
