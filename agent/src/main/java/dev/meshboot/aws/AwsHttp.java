package dev.meshboot.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/** The one HTTP client the package uses (the SDK's URL-connection client), and a plain GET. */
final class AwsHttp {

  /** Metadata endpoints answer within milliseconds when they answer at all. */
  static final Duration METADATA_TIMEOUT = Duration.ofSeconds(1);

  /** Bodies larger than this are not metadata: refuse rather than buffer them. */
  private static final int MAX_BODY = 64 * 1024;

  private AwsHttp() {}

  /** A URL-connection client whose connect and read each give up after {@code timeout}. */
  static SdkHttpClient client(Duration timeout) {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(timeout)
        .socketTimeout(timeout)
        .build();
  }

  /**
   * A URL-connection client for the metadata endpoints (plain http on a link-local or loopback
   * address): never through a proxy, and without the TLS context the default builder creates up
   * front (reading the JDK's CA store costs start-up time that plain http never needs).
   */
  static SdkHttpClient metadataClient(Duration timeout) {
    int millis = Math.toIntExact(timeout.toMillis());
    return UrlConnectionHttpClient.create(
        uri -> {
          try {
            HttpURLConnection connection =
                (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            return connection;
          } catch (IOException e) {
            // The client turns this into an SdkClientException with the cause, as for any I/O.
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * GETs {@code uri} with the JDK's {@link HttpURLConnection} rather than the SDK's client (ECS
   * task metadata: on Fargate the only metadata call, which then loads no SDK class), never through
   * a proxy (the endpoint is link-local), {@code timeout} per connect and read; the body of a 200
   * answer, else a {@link StatusException}.
   */
  static String get(URI uri, Duration timeout) throws IOException {
    int millis = Math.toIntExact(timeout.toMillis());
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
    connection.setConnectTimeout(millis);
    connection.setReadTimeout(millis);
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    try {
      int status = connection.getResponseCode();
      if (status != 200) {
        throw new StatusException(status);
      }
      try (InputStream body = connection.getInputStream()) {
        return read(body);
      }
    } finally {
      connection.disconnect();
    }
  }

  /**
   * GETs {@code uri} and returns the body of a 200 answer; anything else is an IOException whose
   * message has the status but never the body (it may be a credentials document).
   */
  static String get(SdkHttpClient client, URI uri, Map<String, String> headers) throws IOException {
    SdkHttpFullRequest.Builder request =
        SdkHttpFullRequest.builder().uri(uri).method(SdkHttpMethod.GET);
    headers.forEach(request::putHeader);
    HttpExecuteResponse response =
        client.prepareRequest(HttpExecuteRequest.builder().request(request.build()).build()).call();
    int status = response.httpResponse().statusCode();
    try (AbortableInputStream body = response.responseBody().orElse(null)) {
      if (status != 200) {
        throw new StatusException(status);
      }
      if (body == null) {
        throw new IOException("HTTP 200 without a body");
      }
      return read(body);
    }
  }

  /** The body as UTF-8 text, refusing one longer than metadata ever is. */
  static String read(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      throw new IOException("answer longer than " + MAX_BODY + " bytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** An answer other than 200; the message has the status only, never the body. */
  static final class StatusException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    StatusException(int status) {
      super("HTTP " + status);
      this.status = status;
    }

    int status() {
      return status;
    }
  }
}
