package dev.meshboot.aws;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ECS / EKS Pod Identity container credentials endpoint: checks the Authorization header and
 * hands out a new key at every call.
 */
class FakeContainerCredentials implements AutoCloseable {

  static final String PATH = "/v2/credentials/task";

  final FakeServer server;
  final AtomicInteger calls = new AtomicInteger();
  volatile Duration lifetime = Duration.ofHours(1);

  FakeContainerCredentials(String token) throws IOException {
    server = new FakeServer();
    server.route(
        "GET",
        PATH,
        request -> {
          if (!token.equals(request.header("Authorization"))) {
            return FakeServer.Answer.status(401);
          }
          int n = calls.incrementAndGet();
          return FakeServer.Answer.json(
              """
              {"AccessKeyId":"ASIACONTAINER%d","SecretAccessKey":"container-secret-%d",\
              "Token":"container-session-%d","AccountId":"123456789012","Expiration":"%s"}"""
                  .formatted(n, n, n, Instant.now().plus(lifetime)));
        });
  }

  String url() {
    return server.url() + PATH;
  }

  @Override
  public void close() {
    server.close();
  }
}
