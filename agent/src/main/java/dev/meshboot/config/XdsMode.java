package dev.meshboot.config;

import java.util.Map;

/** How Envoy reaches the management (xDS) server. */
public enum XdsMode {
  /** Decide from the endpoint and the Envoy release. */
  AUTO("auto"),
  /** Through meshboot's relay on a unix socket; the relay signs the upstream stream. */
  RELAY("relay"),
  /** Envoy signs with its {@code envoy.grpc_credentials.aws_iam} plugin (Envoy ≤ 1.34 only). */
  AWS_IAM("aws-iam"),
  /** Plain or TLS gRPC straight to the server, unsigned. */
  DIRECT("direct");

  static final Map<String, XdsMode> BY_NAME =
      Map.of("auto", AUTO, "relay", RELAY, "aws-iam", AWS_IAM, "direct", DIRECT);

  private final String text;

  XdsMode(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
