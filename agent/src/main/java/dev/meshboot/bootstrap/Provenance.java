package dev.meshboot.bootstrap;

/**
 * Where one field of the bootstrap came from, for {@code --explain}.
 *
 * @param path the field, such as {@code admin.address.socket_address.port_value}; elements of lists
 *     are named by their {@code name} when they have one
 * @param value the value as JSON text (redacted when sensitive)
 * @param source a variable with its origin, a template, or a file
 */
public record Provenance(String path, String value, String source) {}
