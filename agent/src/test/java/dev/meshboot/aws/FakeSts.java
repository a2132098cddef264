package dev.meshboot.aws;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * STS's query API (POST form, XML answers) for AssumeRole, AssumeRoleWithWebIdentity and
 * GetCallerIdentity, with the response shapes of the STS API reference. Each call hands out a new
 * access key; the form of every call is kept. Public for the integration tests, which sign with its
 * keys.
 */
public class FakeSts implements AutoCloseable {

  static final String ACCOUNT = "123456789012";
  static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";

  final FakeServer server;
  final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final AtomicInteger keys = new AtomicInteger();
  volatile Duration lifetime = Duration.ofHours(1);
  volatile boolean denyCallerIdentity;
  private volatile Consumer<FakeContainerCredentials.Issued> issued = key -> {};

  public FakeSts() throws IOException {
    server = new FakeServer();
    server.route("POST", "/", this::answer);
  }

  private FakeServer.Answer answer(FakeServer.Request request) {
    Map<String, String> form = form(request.body());
    calls.add(form);
    authorizations.add(request.header("Authorization"));
    String action = form.getOrDefault("Action", "");
    return switch (action) {
      case "AssumeRole" ->
          FakeServer.Answer.xml(
              """
              <AssumeRoleResponse xmlns="%s">
                <AssumeRoleResult>
                  <AssumedRoleUser>
                    <AssumedRoleId>AROAFAKE:%s</AssumedRoleId>
                    <Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>
                  </AssumedRoleUser>
                  %s
                </AssumeRoleResult>
                <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
              </AssumeRoleResponse>"""
                  .formatted(
                      NS,
                      form.get("RoleSessionName"),
                      ACCOUNT,
                      roleName(form.get("RoleArn")),
                      form.get("RoleSessionName"),
                      credentials("ASIAROLE")));
      case "AssumeRoleWithWebIdentity" ->
          FakeServer.Answer.xml(
              """
              <AssumeRoleWithWebIdentityResponse xmlns="%s">
                <AssumeRoleWithWebIdentityResult>
                  <SubjectFromWebIdentityToken>system:serviceaccount:shop:cart</SubjectFromWebIdentityToken>
                  <Audience>sts.amazonaws.com</Audience>
                  <AssumedRoleUser>
                    <AssumedRoleId>AROAWEB:%s</AssumedRoleId>
                    <Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>
                  </AssumedRoleUser>
                  %s
                  <Provider>oidc.eks.us-west-2.amazonaws.com/id/FAKE</Provider>
                </AssumeRoleWithWebIdentityResult>
                <ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata>
              </AssumeRoleWithWebIdentityResponse>"""
                  .formatted(
                      NS,
                      form.get("RoleSessionName"),
                      ACCOUNT,
                      roleName(form.get("RoleArn")),
                      form.get("RoleSessionName"),
                      credentials("ASIAWEB")));
      case "GetCallerIdentity" ->
          denyCallerIdentity
              ? new FakeServer.Answer(
                  403,
                  "text/xml",
                  """
                  <ErrorResponse xmlns="%s">
                    <Error><Type>Sender</Type><Code>AccessDenied</Code>
                    <Message>not allowed</Message></Error>
                    <RequestId>req-4</RequestId>
                  </ErrorResponse>"""
                      .formatted(NS))
              : FakeServer.Answer.xml(
                  """
                  <GetCallerIdentityResponse xmlns="%s">
                    <GetCallerIdentityResult>
                      <Arn>arn:aws:sts::%s:assumed-role/mesh/meshboot</Arn>
                      <UserId>AROAFAKE:meshboot</UserId>
                      <Account>%s</Account>
                    </GetCallerIdentityResult>
                    <ResponseMetadata><RequestId>req-3</RequestId></ResponseMetadata>
                  </GetCallerIdentityResponse>"""
                      .formatted(NS, ACCOUNT, ACCOUNT));
      default -> FakeServer.Answer.status(400);
    };
  }

  /** Called with every key, before STS answers with it. */
  public FakeSts onIssue(Consumer<FakeContainerCredentials.Issued> issued) {
    this.issued = issued;
    return this;
  }

  private String credentials(String prefix) {
    int n = keys.incrementAndGet();
    FakeContainerCredentials.Issued key =
        new FakeContainerCredentials.Issued(
            AwsSessionCredentialsIdentity.create(prefix + n, "sts-secret-" + n, "sts-session-" + n),
            Instant.now().plus(lifetime));
    issued.accept(key); // before the answer: a server checking signatures knows it first
    return """
        <Credentials>
          <AccessKeyId>%s</AccessKeyId>
          <SecretAccessKey>%s</SecretAccessKey>
          <SessionToken>%s</SessionToken>
          <Expiration>%s</Expiration>
        </Credentials>"""
        .formatted(
            key.key().accessKeyId(),
            key.key().secretAccessKey(),
            key.key().sessionToken(),
            key.expiry());
  }

  private static String roleName(String arn) {
    return arn == null ? "" : arn.substring(arn.lastIndexOf('/') + 1);
  }

  static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  /** The Action of every call, in order. */
  public List<String> actions() {
    return calls.stream().map(call -> call.get("Action")).toList();
  }

  public String url() {
    return server.url();
  }

  @Override
  public void close() {
    server.close();
  }
}
