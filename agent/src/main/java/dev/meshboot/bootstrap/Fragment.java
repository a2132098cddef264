package dev.meshboot.bootstrap;

import java.util.List;

/**
 * A template one part of the configuration selects, the values that part supplies for placeholders,
 * and the files Envoy will read that must be written with the bootstrap. Returned rather than added
 * to shared state, so that {@link Fragments} alone merges the parts and can refuse two that supply
 * the same placeholder.
 */
record Fragment(String template, Placeholders values, List<SideFile> sideFiles) {

  Fragment {
    sideFiles = List.copyOf(sideFiles);
  }

  Fragment(String template, Placeholders values) {
    this(template, values, List.of());
  }
}
