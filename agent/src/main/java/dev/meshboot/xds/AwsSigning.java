package dev.meshboot.xds;

import dev.meshboot.aws.Credentials;
import dev.meshboot.aws.Identity;
import dev.meshboot.log.Log;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/** The relay's SigV4 signing with meshboot's AWS credentials, and whose they are for /status. */
public final class AwsSigning {

  private static final Log log = Log.of(AwsSigning.class);

  private AwsSigning() {}

  /**
   * Signs for {@code signingName} in {@code region} with {@code credentials} (still being built
   * when the relay starts: the run fails if they cannot be), resolved per stream. Who the caller is
   * (STS may be slow or refused) is asked once, in the background; {@code /status} shows it with
   * the source and expiry of the credentials that signed the latest stream.
   */
  public static XdsRelay.Signing of(
      String region, String signingName, CompletableFuture<Credentials> credentials) {
    AtomicReference<@Nullable Identity> caller = new AtomicReference<>();
    AtomicReference<@Nullable AwsCredentials> signedWith = new AtomicReference<>();
    Thread.ofVirtual()
        .name("meshboot-identity")
        .start(
            () -> {
              Credentials built;
              try {
                built = credentials.join();
              } catch (CompletionException e) {
                return; // the run reports it
              }
              try {
                caller.set(Identity.lookUp(built));
              } catch (RuntimeException e) {
                log.warn("no AWS credentials yet", "error", e.getMessage());
              }
            });
    return new XdsRelay.Signing(
        region,
        signingName,
        () -> {
          AwsCredentials current = credentials.join().resolveCredentials();
          signedWith.set(current);
          return current;
        },
        () -> {
          Identity known = caller.get();
          AwsCredentials current = signedWith.get();
          if (known == null) {
            return Map.<String, Object>of("sources", credentials.join().sources());
          }
          return (current == null ? known : known.using(current)).toMap();
        });
  }
}
