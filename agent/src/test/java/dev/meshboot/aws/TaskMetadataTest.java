package dev.meshboot.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.PlatformFacts.IpFamilies;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The task's address families, from task documents shaped like those of ECS's documentation and
 * AWS's agent's tests (awsvpc and bridge mode).
 */
class TaskMetadataTest {

  private static Optional<IpFamilies> families(String containers) {
    return TaskMetadata.parse("{\"Containers\": [" + containers + "]}").ipFamilies();
  }

  private static String container(String type, String mode, String ipv4, String ipv6) {
    return "{\"Name\": \"c\", \"Type\": \""
        + type
        + "\", \"Networks\": [{\"NetworkMode\": \""
        + mode
        + "\""
        + (ipv4 == null ? "" : ", \"IPv4Addresses\": [\"" + ipv4 + "\"]")
        + (ipv6 == null ? "" : ", \"IPv6Addresses\": [\"" + ipv6 + "\"]")
        + "}]}";
  }

  @Test
  void awsvpcTasksTakeTheFirstContainersFamilies() {
    assertThat(families(container("NORMAL", "awsvpc", "10.0.106.1", null)))
        .contains(new IpFamilies("IPv4_ONLY", false));
    assertThat(families(container("NORMAL", "awsvpc", null, "2600:1f13:604:c601::1")))
        .contains(new IpFamilies("IPv6_ONLY", false));
    assertThat(families(container("NORMAL", "awsvpc", "10.0.106.1", "2600:1f13:604:c601::1")))
        .contains(new IpFamilies("ALL", false));
  }

  @Test
  void bridgeTasksAskThePauseContainer() {
    String pause = container("CNI_PAUSE", "bridge", "172.17.0.8", "2001:db8:1::242:ac11:8");
    String app = container("NORMAL", "container:7d6bba905ead", "", null);
    assertThat(families(app + "," + pause)).contains(new IpFamilies("ALL", true));
    assertThat(families(container("NORMAL", "bridge", "172.17.0.5", null))).isEmpty();
  }

  @Test
  void theNetworkModeIsTheFirstKnownOneOfAnyContainer() {
    String noNetworks = "{\"Name\": \"first\"}";
    assertThat(families(noNetworks + "," + container("NORMAL", "awsvpc", "10.0.0.5", null)))
        .as("awsvpc found on the second container, families of the first (which has none)")
        .isEmpty();
    assertThat(families(container("NORMAL", "host", "10.0.0.5", null))).isEmpty();
  }

  @Test
  void saysNothingWithoutContainersOrAddresses() {
    assertThat(TaskMetadata.parse("{}").ipFamilies()).isEmpty();
    assertThat(families("")).isEmpty();
    assertThat(families(container("NORMAL", "awsvpc", null, null))).isEmpty();
    assertThat(TaskMetadata.parse("{\"Containers\": {\"not\": \"a list\"}}").ipFamilies())
        .isEmpty();
  }
}
