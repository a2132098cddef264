package dev.meshboot.mesh.serve;

import dev.meshboot.mesh.NodeKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The nodes a client certificate may receive the configuration of: those its URI subject
 * alternative names name, either as a SPIFFE ID whose path is the node id ({@code spiffe://<trust
 * domain>/mesh/<mesh>/virtualNode/<name>}, what a SPIRE registration entry or any CA can issue) or
 * as the node's App Mesh ARN ({@code
 * arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>}). The subject's common name is
 * not an identity (RFC 6125, and SPIFFE's X.509-SVID forbids relying on it). The trust domain is
 * not checked: the CA given with {@code --client-ca} is the trust anchor.
 *
 * @param nodes the nodes named
 * @param uris every URI name of the certificate, for the refusal's message
 */
record PeerIdentity(Set<NodeKey> nodes, List<String> uris) {

  private static final int URI_NAME = 6;

  /** The identity of the session's client certificate; empty without one. */
  static Optional<PeerIdentity> of(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    return Optional.of(of(leaf));
  }

  static PeerIdentity of(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      names = null;
    }
    Set<NodeKey> nodes = new LinkedHashSet<>();
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() == 2
            && name.get(0) instanceof Integer type
            && type == URI_NAME
            && name.get(1) instanceof String uri) {
          uris.add(uri);
          node(uri).ifPresent(nodes::add);
        }
      }
    }
    return new PeerIdentity(Set.copyOf(nodes), List.copyOf(uris));
  }

  /** The node a URI names: a SPIFFE ID's path, or an ARN. */
  static Optional<NodeKey> node(String uri) {
    if (uri.startsWith("spiffe://")) {
      int path = uri.indexOf('/', "spiffe://".length());
      return path < 0 ? Optional.empty() : NodeKey.fromNodeId(uri.substring(path + 1));
    }
    return uri.startsWith("arn:") ? NodeKey.fromNodeId(uri) : Optional.empty();
  }

  /** Whether the certificate may receive {@code node}'s configuration. */
  boolean allows(NodeKey node) {
    return nodes.contains(node);
  }

  /** The certificate's names, as a refusal quotes them. */
  String describe() {
    return uris.isEmpty() ? "no URI name" : "URI names " + String.join(", ", uris);
  }
}
