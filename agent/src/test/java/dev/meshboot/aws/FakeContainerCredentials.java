package dev.meshboot.aws;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The ECS / EKS Pod Identity container credentials endpoint: checks the Authorization header and
 * hands out a new key at every call. Public for the integration tests, which sign with its keys.
 */
public class FakeContainerCredentials implements AutoCloseable {

  static final String PATH = "/v2/credentials/task";

  /** A key the endpoint handed out, and when it expires. */
  public record Issued(AwsSessionCredentialsIdentity key, Instant expiry) {}

  final FakeServer server;
  final AtomicInteger calls = new AtomicInteger();
  volatile Duration lifetime = Duration.ofHours(1);
  private volatile Consumer<Issued> issued = key -> {};

  public FakeContainerCredentials(String token) throws IOException {
    server = new FakeServer();
    server.route(
        "GET",
        PATH,
        request -> {
          if (!token.equals(request.header("Authorization"))) {
            return FakeServer.Answer.status(401);
          }
          int n = calls.incrementAndGet();
          Issued key =
              new Issued(
                  AwsSessionCredentialsIdentity.create(
                      "ASIACONTAINER" + n, "container-secret-" + n, "container-session-" + n),
                  Instant.now().plus(lifetime));
          issued.accept(key); // before the answer: a server checking signatures knows it first
          return FakeServer.Answer.json(
              """
              {"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s",\
              "AccountId":"123456789012","Expiration":"%s"}"""
                  .formatted(
                      key.key().accessKeyId(),
                      key.key().secretAccessKey(),
                      key.key().sessionToken(),
                      key.expiry()));
        });
  }

  /** How long each new key lives. */
  public FakeContainerCredentials lifetime(Duration lifetime) {
    this.lifetime = lifetime;
    return this;
  }

  /** Called with every key, before the endpoint answers with it. */
  public FakeContainerCredentials onIssue(Consumer<Issued> issued) {
    this.issued = issued;
    return this;
  }

  /** How many keys it handed out. */
  public int keysIssued() {
    return calls.get();
  }

  public String url() {
    return server.url() + PATH;
  }

  @Override
  public void close() {
    server.close();
  }
}
