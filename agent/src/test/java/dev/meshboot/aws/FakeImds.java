package dev.meshboot.aws;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * EC2 instance metadata as IMDSv2 serves it: a token from {@code PUT /latest/api/token} (with the
 * TTL header) is required on every GET, else 401. Serves the region, role credentials (a new key at
 * every call) and, when given, the availability zone and its ID.
 */
public class FakeImds implements AutoCloseable {

  static final String TOKEN = "imds-token-1";
  static final String ROLE = "node-role";

  public final FakeServer server;
  public final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger credentialCalls = new AtomicInteger();

  public FakeImds(String region) throws IOException {
    server = new FakeServer();
    server.route(
        "PUT",
        "/latest/api/token",
        request ->
            request.header("X-aws-ec2-metadata-token-ttl-seconds").isEmpty()
                ? FakeServer.Answer.status(400)
                : FakeServer.Answer.text(TOKEN)
                    .withHeader(
                        "X-aws-ec2-metadata-token-ttl-seconds",
                        request.header("X-aws-ec2-metadata-token-ttl-seconds")));
    server.route(
        "GET", "/latest/meta-data/placement/region", guarded(FakeServer.Answer.text(region)));
    server.route(
        "GET",
        "/latest/meta-data/iam/security-credentials/",
        guarded(FakeServer.Answer.text(ROLE)));
    server.route(
        "GET",
        "/latest/meta-data/iam/security-credentials/" + ROLE,
        request -> {
          if (!TOKEN.equals(request.header("X-aws-ec2-metadata-token"))) {
            refused.incrementAndGet();
            return FakeServer.Answer.status(401);
          }
          int n = credentialCalls.incrementAndGet();
          return FakeServer.Answer.json(
              """
              {"Code":"Success","LastUpdated":"%s","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS%d",\
              "SecretAccessKey":"imds-secret-%d","Token":"imds-session-%d","Expiration":"%s"}"""
                  .formatted(Instant.now(), n, n, n, Instant.now().plusSeconds(3600)));
        });
  }

  /** Serves the availability zone and, unless null, its ID (without it: 404, as older IMDS). */
  public FakeImds placement(String zone, @Nullable String zoneId) {
    server.route(
        "GET",
        "/latest/meta-data/placement/availability-zone",
        guarded(FakeServer.Answer.text(zone)));
    if (zoneId != null) {
      server.route(
          "GET",
          "/latest/meta-data/placement/availability-zone-id",
          guarded(FakeServer.Answer.text(zoneId)));
    }
    return this;
  }

  private FakeServer.Route guarded(FakeServer.Answer answer) {
    return request -> {
      if (!TOKEN.equals(request.header("X-aws-ec2-metadata-token"))) {
        refused.incrementAndGet();
        return FakeServer.Answer.status(401);
      }
      return answer;
    };
  }

  public String url() {
    return server.url();
  }

  @Override
  public void close() {
    server.close();
  }
}
