package dev.meshboot.it;

import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the tests that run the image with podman share: the image the images module built, loaded
 * once per test class ({@link Podman#load}), and a fresh network namespace per test (the pod),
 * closed after the test class's own {@code @AfterEach} methods. Registered on a static field with
 * {@code @RegisterExtension}.
 */
final class ImagePod implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {

  private String image = "";
  private @Nullable Netns netns;

  @Override
  public void beforeAll(ExtensionContext context) {
    image = Podman.load();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    netns = Netns.create();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (netns != null) {
      netns.close();
      netns = null;
    }
  }

  /** The loaded image's name. */
  String image() {
    return image;
  }

  /** The current test's pod. */
  Netns netns() {
    return Objects.requireNonNull(netns, "the pod exists only during a test");
  }
}
