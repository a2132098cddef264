package dev.meshboot.platform;

import static dev.meshboot.config.Variables.APPMESH_PLATFORM_K8S_POD_UID;
import static dev.meshboot.config.Variables.AWS_DEFAULT_REGION;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_DISABLED;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_SERVICE_ENDPOINT;
import static dev.meshboot.config.Variables.AWS_EXECUTION_ENV;
import static dev.meshboot.config.Variables.AWS_REGION;
import static dev.meshboot.config.Variables.ECS_CONTAINER_METADATA_URI_V4;

import dev.meshboot.aws.MetadataLookups;
import dev.meshboot.aws.Region;
import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.FoundRegion;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.PlatformFacts.EcsTask;
import dev.meshboot.config.PlatformFacts.Placement;
import dev.meshboot.config.Setting;
import dev.meshboot.config.XdsConfig;
import dev.meshboot.log.Log;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The platform's metadata services for one rendering (contract §7): which to ask, decided from the
 * environment alone; asked together before the configuration is read; their answers turned into
 * {@link PlatformFacts}, best effort (a source that was asked and gave nothing costs one warning,
 * never the bootstrap); and the region found from them when no variable gives it.
 *
 * <p>Task metadata is asked when {@code ECS_CONTAINER_METADATA_URI_V4} is set. Instance metadata is
 * asked, unless {@code AWS_EC2_METADATA_DISABLED}, where the workload is known to run on an EC2
 * instance (ECS on EC2, Kubernetes, or {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} given) or where
 * the region must come from it; never on Fargate, which has none. With neither, nothing is asked
 * and no AWS SDK class is loaded.
 */
public final class PlatformMetadata {

  private static final Log log = Log.of(PlatformMetadata.class);

  private final Environment environment;
  private final boolean placementNow;
  private @Nullable MetadataLookups lookups;
  private @Nullable PlatformFacts facts;

  private PlatformMetadata(Environment environment, boolean placementNow) {
    this.environment = environment;
    this.placementNow = placementNow;
  }

  /** Starts asking the sources this environment calls for (none may apply). */
  public static PlatformMetadata start(Environment environment) {
    PlatformMetadata metadata = new PlatformMetadata(environment, placementWanted(environment));
    if (metadata.placementNow || environment.given(ECS_CONTAINER_METADATA_URI_V4).isPresent()) {
      metadata.lookups();
    }
    return metadata;
  }

  /**
   * Sources asked only when {@link #region()} needs them, task metadata before instance metadata:
   * for a process that renders nothing (the supervisor of {@code meshboot run}, whose child
   * renders), so it neither repeats the node metadata lookups nor loads the SDK's instance metadata
   * client when task metadata gives the region.
   */
  public static PlatformMetadata forRegionOnly(Environment environment) {
    return new PlatformMetadata(environment, false);
  }

  /** Whether instance metadata should be asked now, before anything needs it. */
  static boolean placementWanted(Environment environment) {
    if (new ConfigReader(environment).optionalBool(AWS_EC2_METADATA_DISABLED).orElse(false)) {
      return false;
    }
    // Plain code rather than Optional chains: each lambda costs a class at start-up.
    Optional<Setting> execution = environment.given(AWS_EXECUTION_ENV);
    String platform = execution.isPresent() ? execution.get().value().trim() : "";
    if (platform.equals("AWS_ECS_FARGATE")) {
      return false;
    }
    boolean onInstance =
        platform.equals("AWS_ECS_EC2")
            || environment.given(APPMESH_PLATFORM_K8S_POD_UID).isPresent()
            || environment.given(AWS_EC2_METADATA_SERVICE_ENDPOINT).isPresent();
    boolean regionFromMetadata =
        environment.given(AWS_REGION).isEmpty()
            && environment.given(AWS_DEFAULT_REGION).isEmpty()
            && environment.given(ECS_CONTAINER_METADATA_URI_V4).isEmpty()
            && XdsConfig.needsRegion(environment);
    return onInstance || regionFromMetadata;
  }

  private synchronized MetadataLookups lookups() {
    if (lookups == null) {
      lookups = MetadataLookups.start(environment, placementNow);
    }
    return lookups;
  }

  /**
   * The region for a regional endpoint when neither variable gives it: ECS task metadata, then EC2
   * instance metadata.
   *
   * @throws dev.meshboot.config.ConfigException listing every source and why it gave nothing
   */
  public FoundRegion region() {
    return Region.find(environment, this::lookups);
  }

  /**
   * What the sources asked so far said, waiting for each at most until its deadline. A source that
   * was asked and gave nothing is logged once as a warning and left out.
   */
  public synchronized PlatformFacts facts() {
    if (facts == null) {
      facts = collect();
    }
    return facts;
  }

  private PlatformFacts collect() {
    MetadataLookups asked = lookups;
    if (asked == null) {
      return PlatformFacts.NONE;
    }
    MetadataLookups.Answer<EcsTask> task = asked.task();
    warnIfFailed(task);
    Optional<Placement> placement = Optional.empty();
    if (asked.placementAsked()) {
      MetadataLookups.Answer<Placement> answer = asked.placement();
      warnIfFailed(answer);
      placement = answer.value();
    }
    return new PlatformFacts(task.value(), placement);
  }

  private static void warnIfFailed(MetadataLookups.Answer<?> answer) {
    if (answer.asked() && answer.value().isEmpty()) {
      log.warn(
          "node metadata goes without this source",
          "source",
          answer.source(),
          "error",
          answer.problem());
    }
  }
}
