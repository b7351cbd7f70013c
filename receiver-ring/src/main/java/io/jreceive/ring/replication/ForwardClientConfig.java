package io.jreceive.ring.replication;

import java.nio.file.Path;

/**
 * How this node talks to its peers: the forward deadline ({@code --receive-forward-timeout}, default 5 s), the
 * longest back-off of an unavailable peer ({@code --receive-forward-max-backoff}, default 5 s), the gRPC compression
 * ({@code snappy} or {@code none}) and client TLS ({@code --remote-write.client-tls-*}; plain text unless
 * {@code secure}).
 */
public record ForwardClientConfig(long timeoutMs, long maxBackoffMs, String compression, boolean tlsSecure,
                                  boolean tlsSkipVerify, Path tlsCert, Path tlsKey, Path tlsCa, String tlsServerName) {
    public static ForwardClientConfig plain(long timeoutMs, long maxBackoffMs, String compression) {
        return new ForwardClientConfig(timeoutMs, maxBackoffMs, compression, false, false, null, null, null, "");
    }
}
