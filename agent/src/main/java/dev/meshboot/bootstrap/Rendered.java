package dev.meshboot.bootstrap;

import com.google.protobuf.DynamicMessage;
import java.util.List;

/**
 * A validated bootstrap, where each field came from, and files Envoy will read that must be written
 * with it.
 */
public record Rendered(
    DynamicMessage bootstrap, List<Provenance> provenance, List<SideFile> sideFiles) {}
