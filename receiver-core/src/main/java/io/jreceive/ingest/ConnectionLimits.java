package io.jreceive.ingest;

/**
 * What bounds a remote-write connection's time and the listener's connections, so that stalled, slow or idle
 * clients cannot pin sockets and aggregation buffers for good. Thanos' remote-write server (a Go {@code http.Server}
 * with no timeouts set) has none of these; the defaults here are those of a Go server hardened against slow clients,
 * long enough for any sender that is alive.
 *
 * @param readHeaderTimeoutMs    from a new connection's accept, or from the first byte of a keep-alive connection's
 *                               next request, until its request head is complete; default
 *                               {@value #DEFAULT_READ_HEADER_TIMEOUT_MS} ms ({@code --remote-write.read-header-timeout}).
 *                               Past it the connection is closed.
 * @param readBodyTimeoutMs      from the end of the request head until the whole body is read; default
 *                               {@value #DEFAULT_READ_BODY_TIMEOUT_MS} ms ({@code --remote-write.read-body-timeout}).
 *                               Past it the connection is closed (and the buffer of the partial body freed).
 * @param idleTimeoutMs          how long a keep-alive connection may wait for its next request; default
 *                               {@value #DEFAULT_IDLE_TIMEOUT_MS} ms ({@code --remote-write.idle-timeout}), longer
 *                               than the 5-minute idle timeout of Prometheus' remote-write client, so the client,
 *                               not the server, closes an idle connection (no request races a close).
 * @param maxConnections         open connections; default {@value #DEFAULT_MAX_CONNECTIONS}
 *                               ({@code --remote-write.max-connections}). Past it a new connection gets 503
 *                               {@code too many open connections (limit N); retry later} and is closed.
 * @param maxConcurrentRequests  requests being read or answered at once; default
 *                               {@value #DEFAULT_MAX_CONCURRENT_REQUESTS}
 *                               ({@code --remote-write.max-concurrent-requests}). Past it the request's body is read
 *                               and discarded, without being buffered, and it is answered 503
 *                               {@code too many concurrent requests (limit N); retry later}. 0 = unlimited (both).
 */
public record ConnectionLimits(long readHeaderTimeoutMs, long readBodyTimeoutMs, long idleTimeoutMs,
                               int maxConnections, int maxConcurrentRequests) {
    public static final long DEFAULT_READ_HEADER_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_READ_BODY_TIMEOUT_MS = 120_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 360_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 256;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(DEFAULT_READ_HEADER_TIMEOUT_MS,
            DEFAULT_READ_BODY_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONCURRENT_REQUESTS);

    public ConnectionLimits {
        if (readHeaderTimeoutMs <= 0 || readBodyTimeoutMs <= 0 || idleTimeoutMs <= 0) {
            throw new IllegalArgumentException("remote-write timeouts must be positive");
        }
        if (maxConnections < 0 || maxConcurrentRequests < 0) {
            throw new IllegalArgumentException("remote-write connection limits must not be negative");
        }
    }
}
