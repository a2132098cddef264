package dev.meshboot.cli;

import dev.meshboot.aws.Credentials;
import dev.meshboot.aws.Identity;
import dev.meshboot.config.Environment;
import dev.meshboot.log.Log;
import dev.meshboot.xds.LastGoodCache;
import dev.meshboot.xds.XdsRelay;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/** Starts the xDS relay of relay mode, with the credentials that sign its upstream streams. */
final class RelayLauncher {

  private static final Log log = Log.of(RelayLauncher.class);

  private RelayLauncher() {}

  /**
   * The relay Envoy's ADS connects to in relay mode: it signs each upstream stream with SigV4 when
   * the region is known (App Mesh endpoints always have one), and keeps Envoy's last-known-good
   * configuration in {@code cacheDir} when given.
   */
  static XdsRelay start(
      RelayTarget target,
      Environment environment,
      Optional<Path> cacheDir,
      Optional<Path> caFile,
      List<AutoCloseable> closing) {
    Optional<XdsRelay.Signing> signing = Optional.empty();
    if (target.region().isPresent()) {
      Credentials credentials = Credentials.provider(environment);
      closing.add(credentials);
      // Who meshboot is, for /status: asked once in the background (STS may be slow or refused);
      // the source and expiry are those of the credentials that signed the latest stream.
      AtomicReference<@Nullable Identity> caller = new AtomicReference<>();
      AtomicReference<@Nullable AwsCredentials> signedWith = new AtomicReference<>();
      Thread.ofVirtual()
          .name("meshboot-identity")
          .start(
              () -> {
                try {
                  caller.set(Identity.lookUp(credentials));
                } catch (RuntimeException e) {
                  log.warn("no AWS credentials yet", "error", e.getMessage());
                }
              });
      signing =
          Optional.of(
              new XdsRelay.Signing(
                  target.region().get(),
                  target.signingName(),
                  () -> {
                    AwsCredentials current = credentials.resolveCredentials();
                    signedWith.set(current);
                    return current;
                  },
                  () -> {
                    Identity known = caller.get();
                    AwsCredentials current = signedWith.get();
                    if (known == null) {
                      return Map.of("sources", credentials.sources());
                    }
                    return (current == null ? known : known.using(current)).toMap();
                  }));
    } else {
      log.warn(
          "xDS relay without signing: the bootstrap's meshboot.xds_relay metadata names no region"
              + " (render it with AWS_REGION set to sign)");
    }
    if (cacheDir.isEmpty()) {
      log.warn(
          "no last-known-good xDS cache: Envoy cannot start while the management endpoint is down",
          "why",
          "MESHBOOT_XDS_CACHE=false, or no MESHBOOT_XDS_CACHE_DIR, MESHBOOT_CACHE_DIR,"
              + " CACHE_DIRECTORY, XDG_CACHE_HOME or HOME");
    }
    String endpoint = target.host() + ":" + target.port();
    try {
      return XdsRelay.start(
          target.socket(),
          new XdsRelay.Upstream(target.host(), target.port(), target.tls(), caFile, signing),
          cacheDir.map(dir -> new LastGoodCache(dir, endpoint, Clock.systemUTC())),
          Clock.systemUTC());
    } catch (IOException e) {
      throw new Main.OutputException(
          "cannot start the xDS relay on "
              + target.socket()
              + " (the bootstrap's meshboot_xds_relay pipe, MESHBOOT_XDS_RELAY_SOCKET when"
              + " rendered)"
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
