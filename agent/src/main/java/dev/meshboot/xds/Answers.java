package dev.meshboot.xds;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The responses one stream sent Envoy that it has yet to answer, and what its answer means: an ACK
 * or NACK for the {@link RelayStatus}, and for a live response Envoy accepts, an entry in the
 * {@link LastGoodCache}. Not thread-safe: the stream's lock guards it.
 */
final class Answers {

  /** Responses kept until Envoy answers them; Envoy answers in order, so few are open. */
  private static final int MAX_PENDING = 32;

  /**
   * A response Envoy has yet to answer: its type and version, its bytes when a live one may go to
   * the cache, whether it came from the cache.
   */
  private static final class Pending {
    final String typeUrl;
    final String version;
    final byte @Nullable [] bytes;
    final boolean cached;

    Pending(String typeUrl, String version, byte @Nullable [] bytes, boolean cached) {
      this.typeUrl = typeUrl;
      this.version = version;
      this.bytes = bytes;
      this.cached = cached;
    }
  }

  private final RelayStatus status;
  private final Optional<LastGoodCache> cache;
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  Answers(RelayStatus status, Optional<LastGoodCache> cache) {
    this.status = status;
    this.cache = cache;
  }

  /**
   * Envoy was sent {@code response}: {@code bytes} when it is live and may be cached, {@code
   * cached} when it came from the cache.
   */
  void sent(Wire.Response response, byte @Nullable [] bytes, boolean cached) {
    if (pending.size() >= MAX_PENDING) {
      pending.remove(pending.keySet().iterator().next());
    }
    pending.put(
        response.nonce(), new Pending(response.typeUrl(), response.version(), bytes, cached));
  }

  /** Envoy's request, which may answer a response of this stream. */
  void answered(Wire.Request request, @Nullable String nodeId) {
    if (!request.answers()) {
      return;
    }
    Pending response = pending.remove(request.nonce());
    String type = response != null ? response.typeUrl : request.typeUrl();
    if (request.isNack()) {
      status.rejected(type, response != null ? response.version : "", request.error().orElse(""));
      return;
    }
    boolean cached = response != null && response.cached;
    status.accepted(type, response != null ? response.version : request.version(), cached);
    byte[] bytes = response != null ? response.bytes : null;
    if (bytes != null && nodeId != null && cache.isPresent()) {
      cache.get().accepted(nodeId, bytes, request.resourceNames());
    }
  }
}
