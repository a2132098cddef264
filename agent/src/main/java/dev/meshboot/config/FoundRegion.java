package dev.meshboot.config;

/**
 * A region and where it was found: a variable, or a metadata service, for the log and {@code
 * --explain}.
 *
 * @param name the region, such as us-west-2
 * @param source where it came from, such as {@code AWS_REGION (environment)}
 */
public record FoundRegion(String name, String source) {}
