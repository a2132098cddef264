package dev.meshboot.it;

import dev.meshboot.testing.TestPki;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Applications for a mesh test in a network namespace, other than HTTP ({@link MeshUpstream}): a
 * gRPC server and client (grpc-java, sockets opened inside the namespace), a line-echoing TCP
 * server, a TLS server with a certificate from a {@link TestPki}, and clients for both.
 */
final class MeshApps {

  private MeshApps() {}

  /** A unary gRPC method of strings, {@code service/method}. */
  static MethodDescriptor<String, String> method(String service, String method) {
    MethodDescriptor.Marshaller<String> text =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
          }

          @Override
          public String parse(InputStream stream) {
            try {
              return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .setRequestMarshaller(text)
        .setResponseMarshaller(text)
        .build();
  }

  /** A gRPC server and the event loop it runs on. */
  record Grpc(Server server, EventLoopGroup loop) implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A gRPC server on {@code ip:port} in {@code netns} answering every one of {@code methods} of
   * service {@code service} with {@code name: <request>}.
   */
  static Grpc grpcServer(
      Netns netns, String name, String ip, int port, String service, List<String> methods)
      throws IOException {
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
    for (String method : methods) {
      definition.addMethod(
          method(service, method),
          ServerCalls.asyncUnaryCall(
              (request, response) -> {
                response.onNext(name + ": " + request);
                response.onCompleted();
              }));
    }
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(ip, port))
            .channelFactory(() -> new NioServerSocketChannel(serverChannel(netns)))
            .bossEventLoopGroup(loop)
            .workerEventLoopGroup(loop)
            .addService(definition.build())
            .build()
            .start();
    return new Grpc(server, loop);
  }

  /**
   * One unary call from {@code netns} as its application: a channel to {@code ip:port} (which the
   * namespace's interception sends to Envoy) with {@code authority}.
   */
  static String grpcCall(
      Netns netns,
      String ip,
      int port,
      String authority,
      MethodDescriptor<String, String> method,
      String request)
      throws InterruptedException {
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new InetSocketAddress(ip, port))
            .channelFactory(() -> new NioSocketChannel(channel(netns)))
            .eventLoopGroup(loop)
            .usePlaintext()
            .overrideAuthority(authority)
            .build();
    try {
      return ClientCalls.blockingUnaryCall(
          channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  private static ServerSocketChannel serverChannel(Netns netns) {
    return inside(netns, ServerSocketChannel::open);
  }

  private static SocketChannel channel(Netns netns) {
    return inside(netns, SocketChannel::open);
  }

  private static <T> T inside(Netns netns, Callable<T> open) {
    try {
      return netns.inside(open);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open a socket in " + netns.name(), e);
    }
  }

  /**
   * A server on {@code ip:port} in {@code netns} answering each connection's first line with {@code
   * name: <line>}; with {@code tls}, over TLS.
   */
  static ServerSocket lineServer(
      Netns netns, String name, String ip, int port, @Nullable SSLContext tls) throws Exception {
    ServerSocket server =
        netns.inside(
            () -> {
              ServerSocket socket =
                  tls == null
                      ? new ServerSocket()
                      : tls.getServerSocketFactory().createServerSocket();
              socket.setReuseAddress(true);
              socket.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 16);
              return socket;
            });
    if (server instanceof SSLServerSocket secure) {
      secure.setNeedClientAuth(false);
    }
    Thread.ofPlatform()
        .daemon()
        .name("line-" + name)
        .start(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  Thread.ofVirtual().start(() -> echo(socket, name));
                } catch (IOException e) {
                  return;
                }
              }
            });
    return server;
  }

  private static void echo(Socket socket, String name) {
    try (socket) {
      socket.setSoTimeout(10_000);
      String line =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      OutputStream out = socket.getOutputStream();
      out.write((name + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      // the client went away (a refused TLS handshake): nothing to answer
    }
  }

  /**
   * Sends {@code line} from {@code netns} to {@code ip:port} (over TLS naming {@code sni}, if
   * {@code tls}) and returns the answer's first line; the error in words if there is none.
   */
  static String lineCall(
      Netns netns, String ip, int port, String line, @Nullable SSLContext tls, String sni)
      throws Exception {
    Socket plain =
        netns.inside(
            () -> {
              Socket s = new Socket();
              s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
              return s;
            });
    try (Socket socket =
        tls == null ? plain : tls.getSocketFactory().createSocket(plain, sni, port, true)) {
      socket.setSoTimeout(10_000);
      if (socket instanceof SSLSocket secure) {
        secure.startHandshake();
      }
      socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      String answer =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      return answer == null ? "closed" : answer;
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** TLS as {@code name} of {@code pki} (its PEM chain, its key), trusting {@code pki}'s CA. */
  static SSLContext tls(TestPki pki, String name) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    Key key = pki.store().getKey(name, TestPki.PASSWORD.toCharArray());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        name,
        (PrivateKey) key,
        "changeit".toCharArray(),
        certificates(x509, pki.dir().resolve(name + ".pem")));
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, "changeit".toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", certificates(x509, pki.caFile())[0]);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }

  private static Certificate[] certificates(CertificateFactory x509, Path pem) throws Exception {
    try (InputStream in = new FileInputStream(pem.toFile())) {
      return x509.generateCertificates(in).toArray(Certificate[]::new);
    }
  }
}
