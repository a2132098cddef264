package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Optional;

/**
 * TLS as App Mesh configured it: certificates from files (paths in the TLS context, read by Envoy)
 * or from the local SDS provider (SPIRE) behind the bootstrap's {@code
 * static_cluster_sds_unix_socket} ({@code APPMESH_SDS_SOCKET_PATH}); trust from a CA file or SDS;
 * subject alternative names matched exactly, URIs ({@code spiffe://...}) as URI SANs, anything else
 * as DNS SANs. ACM certificates and ACM PCA trust are refused by the loader.
 */
final class Tls {

  /** The bootstrap's cluster of the local SDS provider (contract: APPMESH_SDS_SOCKET_PATH). */
  static final String SDS_CLUSTER = "static_cluster_sds_unix_socket";

  private Tls() {}

  static TransportSocket socket(Message context) {
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(context))
        .build();
  }

  /**
   * A listener's TLS termination ({@code ListenerTls}): its certificate, and with a validation
   * context mutual TLS (a client certificate required, checked against the trust and the SANs).
   */
  static DownstreamTlsContext server(Resource owner, JsonObject tls, String path) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    certificate(owner, Spec.object(tls, "certificate"), path + ".certificate", common, true);
    DownstreamTlsContext.Builder context = DownstreamTlsContext.newBuilder();
    Optional<JsonObject> validation = Spec.object(tls, "validation");
    if (validation.isPresent()) {
      validation(owner, validation.get(), path + ".validation", List.of(), common);
      context.setRequireClientCertificate(BoolValue.of(true));
    }
    return context.setCommonTlsContext(common).build();
  }

  /**
   * A client policy's TLS origination ({@code ClientPolicyTls}) to a server known by {@code
   * hostname}: its validation (SANs, else the hostname, as App Mesh required of the server's
   * certificate) and, for mutual TLS, its certificate.
   */
  static UpstreamTlsContext client(Resource owner, JsonObject tls, String hostname, String path) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    Optional<JsonObject> certificate = Spec.object(tls, "certificate");
    if (certificate.isPresent()) {
      certificate(owner, certificate, path + ".certificate", common, false);
    }
    JsonObject validation =
        Spec.object(tls, "validation")
            .orElseThrow(() -> Spec.fail(owner, path + ".validation", "a validation is required"));
    validation(
        owner,
        validation,
        path + ".validation",
        hostname.isEmpty() ? List.of() : List.of(hostname),
        common);
    return upstream(common, hostname);
  }

  /**
   * TLS to a server that terminates TLS when the client has no policy for it: negotiated, the
   * server's certificate not validated (App Mesh's behaviour for file certificates).
   */
  static UpstreamTlsContext unvalidated(String hostname) {
    return upstream(CommonTlsContext.newBuilder(), hostname);
  }

  private static UpstreamTlsContext upstream(CommonTlsContext.Builder common, String hostname) {
    UpstreamTlsContext.Builder context =
        UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    if (!hostname.isEmpty()) {
      context.setSni(hostname);
    }
    return context.build();
  }

  private static void certificate(
      Resource owner,
      Optional<JsonObject> certificate,
      String path,
      CommonTlsContext.Builder common,
      boolean required) {
    if (certificate.isEmpty()) {
      if (required) {
        throw Spec.fail(owner, path, "a certificate is required");
      }
      return;
    }
    Optional<JsonObject> file = Spec.object(certificate.get(), "file");
    Optional<JsonObject> sds = Spec.object(certificate.get(), "sds");
    if (file.isPresent()) {
      common.addTlsCertificates(
          TlsCertificate.newBuilder()
              .setCertificateChain(file(owner, file.get(), "certificateChain", path + ".file"))
              .setPrivateKey(file(owner, file.get(), "privateKey", path + ".file")));
    } else if (sds.isPresent()) {
      common.addTlsCertificateSdsSecretConfigs(sds(owner, sds.get(), path + ".sds"));
    } else {
      throw Spec.fail(
          owner,
          path,
          "only file and sds certificates can be served without AWS (acm needs AWS Certificate"
              + " Manager)");
    }
  }

  private static void validation(
      Resource owner,
      JsonObject validation,
      String path,
      List<String> defaultSans,
      CommonTlsContext.Builder common) {
    List<String> sans =
        Spec.object(validation, "subjectAlternativeNames")
            .flatMap(names -> Spec.object(names, "match"))
            .map(match -> Spec.strings(match, "exact"))
            .orElse(defaultSans);
    CertificateValidationContext.Builder context = CertificateValidationContext.newBuilder();
    for (String san : sans) {
      context.addMatchTypedSubjectAltNames(
          SubjectAltNameMatcher.newBuilder()
              .setSanType(
                  san.contains("://")
                      ? SubjectAltNameMatcher.SanType.URI
                      : SubjectAltNameMatcher.SanType.DNS)
              .setMatcher(StringMatcher.newBuilder().setExact(san)));
    }
    JsonObject trust =
        Spec.object(validation, "trust")
            .orElseThrow(() -> Spec.fail(owner, path + ".trust", "a trust is required"));
    Optional<JsonObject> file = Spec.object(trust, "file");
    Optional<JsonObject> sds = Spec.object(trust, "sds");
    if (file.isPresent()) {
      context.setTrustedCa(file(owner, file.get(), "certificateChain", path + ".trust.file"));
      common.setValidationContext(context);
    } else if (sds.isPresent()) {
      SdsSecretConfig secret = sds(owner, sds.get(), path + ".trust.sds");
      if (sans.isEmpty()) {
        common.setValidationContextSdsSecretConfig(secret);
      } else {
        common.setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(context)
                .setValidationContextSdsSecretConfig(secret));
      }
    } else {
      throw Spec.fail(
          owner,
          path + ".trust",
          "only file and sds trust can be served without AWS (acm needs AWS Private CA)");
    }
  }

  private static DataSource file(Resource owner, JsonObject file, String member, String path) {
    return DataSource.newBuilder()
        .setFilename(
            Spec.string(file, member)
                .orElseThrow(
                    () -> Spec.fail(owner, path + "." + member, "a file path is required")))
        .build();
  }

  private static SdsSecretConfig sds(Resource owner, JsonObject sds, String path) {
    String name =
        Spec.string(sds, "secretName")
            .orElseThrow(() -> Spec.fail(owner, path + ".secretName", "a secret name is required"));
    return SdsSecretConfig.newBuilder()
        .setName(name)
        .setSdsConfig(
            ConfigSource.newBuilder()
                .setResourceApiVersion(ApiVersion.V3)
                .setApiConfigSource(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setTransportApiVersion(ApiVersion.V3)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder()
                                        .setClusterName(SDS_CLUSTER)))))
        .build();
  }
}
