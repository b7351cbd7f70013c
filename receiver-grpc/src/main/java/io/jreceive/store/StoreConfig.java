package io.jreceive.store;

import java.nio.file.Path;

/**
 * Configuration of the gRPC server, built once from the command line.
 *
 * @param host          bind host of {@code --grpc-address} (e.g. {@code 0.0.0.0})
 * @param port          bind port of {@code --grpc-address} (10901 by default; 0 picks a free port)
 * @param tlsCert       {@code --grpc-server-tls-cert}: PEM certificate chain, null for plaintext
 * @param tlsKey        {@code --grpc-server-tls-key}: PEM private key, required with {@code tlsCert}
 * @param tlsClientCa   {@code --grpc-server-tls-client-ca}: PEM CA; when set, clients must present a certificate it
 *                      signed
 * @param gracePeriodMs {@code --grpc-grace-period} (2m): how long {@link StoreServer#close()} lets calls finish
 * @param maxSeries     {@code --store.limits.request-series}: series one Series call may return, 0 = unlimited;
 *                      past it the call fails with RESOURCE_EXHAUSTED
 * @param maxSamples    {@code --store.limits.request-samples}: samples (counted from chunk headers) one Series call
 *                      may return, 0 = unlimited; past it the call fails with RESOURCE_EXHAUSTED
 * @param tlsMinVersion {@code --grpc-server-tls-min-version} (Thanos' default {@code 1.3}): the oldest TLS version
 *                      the server accepts, {@code 1.0} to {@code 1.3} (the JVM may disable 1.0 and 1.1 itself)
 * @param maxConnectionAgeMs {@code --grpc-server-max-connection-age} (60m): a connection older than this is sent a
 *                      GOAWAY, so clients reconnect (and rebalance); its running calls may finish, as in Thanos
 */
public record StoreConfig(String host, int port, Path tlsCert, Path tlsKey, Path tlsClientCa, long gracePeriodMs,
                          long maxSeries, long maxSamples, String tlsMinVersion, long maxConnectionAgeMs) {
    /** Thanos' default {@code --grpc-grace-period}: two minutes. */
    public static final long DEFAULT_GRACE_PERIOD_MS = 120_000;
    /** Thanos' default {@code --grpc-server-max-connection-age}: 60 minutes. */
    public static final long DEFAULT_MAX_CONNECTION_AGE_MS = 3_600_000;

    /** The configuration with the default maximum connection age. */
    public StoreConfig(String host, int port, Path tlsCert, Path tlsKey, Path tlsClientCa, long gracePeriodMs,
                       long maxSeries, long maxSamples, String tlsMinVersion) {
        this(host, port, tlsCert, tlsKey, tlsClientCa, gracePeriodMs, maxSeries, maxSamples, tlsMinVersion,
                DEFAULT_MAX_CONNECTION_AGE_MS);
    }

    public StoreConfig {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--grpc-server-tls-cert and --grpc-server-tls-key go together");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("--grpc-server-tls-client-ca needs a server certificate and key");
        }
        tlsProtocols(tlsMinVersion);
    }

    /** The protocols from {@code minVersion} ("1.0" to "1.3", as Thanos' flag) to TLS 1.3. */
    public static String[] tlsProtocols(String minVersion) {
        return io.jreceive.config.TlsVersions.protocols("--grpc-server-tls-min-version", minVersion);
    }

    /** Plaintext on {@code host:port} with the default grace period and no limits. */
    public static StoreConfig plaintext(String host, int port) {
        return new StoreConfig(host, port, null, null, null, DEFAULT_GRACE_PERIOD_MS, 0, 0, "1.3");
    }
}
