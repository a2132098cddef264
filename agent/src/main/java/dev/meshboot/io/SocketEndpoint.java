package dev.meshboot.io;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where a local HTTP server listens, or is reached: a TCP address or a unix socket. */
public sealed interface SocketEndpoint {

  /** The socket address to bind or connect to. */
  SocketAddress address();

  /** An IP literal and port. */
  record Tcp(String ip, int port) implements SocketEndpoint {

    /**
     * Where a server bound to {@code bindAddress} is reached (the any-address becomes loopback).
     */
    public static Tcp reaching(String bindAddress, int port) {
      String host = Addresses.uriHostFor(bindAddress);
      return new Tcp(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
    }

    @Override
    public SocketAddress address() {
      return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    @Override
    public String toString() {
      return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }
  }

  /** A unix domain socket. */
  record Unix(Path path) implements SocketEndpoint {

    @Override
    public SocketAddress address() {
      return UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
      return "unix:" + path;
    }
  }
}
