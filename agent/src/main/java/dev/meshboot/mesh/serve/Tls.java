package dev.meshboot.mesh.serve;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the xDS port: the server's certificate chain and private key (PEM; the key in PKCS#8,
 * {@code BEGIN PRIVATE KEY}), and optionally the CA that client certificates must chain to, which
 * makes a client certificate required and its identity bound to the node it asks for ({@link
 * PeerIdentity}).
 */
public record Tls(Path certificate, Path key, Optional<Path> clientCa) {}
