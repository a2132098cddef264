package dev.meshboot.config;

import static dev.meshboot.config.Variables.ENVOY_CONFIG_FILE;
import static dev.meshboot.config.Variables.ENVOY_RESOURCES_CONFIG_FILE;
import static dev.meshboot.config.Variables.ENVOY_STATS_CONFIG_FILE;
import static dev.meshboot.config.Variables.ENVOY_STATS_SINKS_CFG_FILE;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Bootstrap files the user supplies. Their contents are read by the bootstrap package.
 *
 * @param statsConfig a file holding {@code stats_config}
 * @param statsSinks a file holding {@code stats_sinks}
 * @param resources a file of bootstrap keys merged last
 * @param wholeBootstrap a complete bootstrap used instead of the generated one
 */
public record FragmentFiles(
    Optional<Path> statsConfig,
    Optional<Path> statsSinks,
    Optional<Path> resources,
    Optional<Path> wholeBootstrap) {

  static FragmentFiles from(ConfigReader reader) {
    return new FragmentFiles(
        reader.path(ENVOY_STATS_CONFIG_FILE),
        reader.path(ENVOY_STATS_SINKS_CFG_FILE),
        reader.path(ENVOY_RESOURCES_CONFIG_FILE),
        reader.path(ENVOY_CONFIG_FILE));
  }

  /** Whether any user file is given (they may use any Envoy type, so the full schema is needed). */
  public boolean any() {
    return statsConfig.isPresent()
        || statsSinks.isPresent()
        || resources.isPresent()
        || wholeBootstrap.isPresent();
  }
}
