package io.jreceive.ingest;

/**
 * Configuration of the remote-write listener, built once from the command line.
 *
 * @param host           listen host ({@code --remote-write.address})
 * @param port           listen port, 0 = any free port
 * @param tenantHeader   header naming the tenant ({@code --receive.tenant-header}, default {@code THANOS-TENANT})
 * @param defaultTenant  tenant when no header is given ({@code --receive.default-tenant-id})
 * @param limits         request size limits
 * @param ioThreads      event-loop threads, 0 = Netty's default (2 × cores)
 * @param warmupSeries   series of the start-up {@link IngestWarmup}, 0 = none
 * @param connections    timeouts and connection caps of the listener
 * @param tls            TLS of the listener; null = plain HTTP
 * @param tenantCertificateField {@code --receive.tenant-certificate-field} ({@link CertificateTenant}): the client
 *                       certificate's field naming the tenant; null = the tenant header names it
 * @param nativeHistograms {@code --tsdb.enable-native-histograms}: store native histograms (jreceive's default);
 *                       false drops them, counted in {@code jreceive_histograms_dropped_total}, as Thanos does
 */
public record RemoteWriteConfig(String host, int port, String tenantHeader, String defaultTenant,
                                RemoteWriteLimits limits, int ioThreads, int warmupSeries,
                                ConnectionLimits connections, RemoteWriteTls tls, String tenantCertificateField,
                                boolean nativeHistograms) {
    /** A plain-HTTP configuration, the tenant from its header. */
    public RemoteWriteConfig(String host, int port, String tenantHeader, String defaultTenant,
                             RemoteWriteLimits limits, int ioThreads, int warmupSeries, ConnectionLimits connections) {
        this(host, port, tenantHeader, defaultTenant, limits, ioThreads, warmupSeries, connections, null, null, true);
    }

    /** A configuration with the default {@link ConnectionLimits}. */
    public RemoteWriteConfig(String host, int port, String tenantHeader, String defaultTenant,
                             RemoteWriteLimits limits, int ioThreads, int warmupSeries) {
        this(host, port, tenantHeader, defaultTenant, limits, ioThreads, warmupSeries, ConnectionLimits.DEFAULTS);
    }

    public RemoteWriteConfig withConnections(ConnectionLimits c) {
        return new RemoteWriteConfig(host, port, tenantHeader, defaultTenant, limits, ioThreads, warmupSeries, c, tls,
                tenantCertificateField, nativeHistograms);
    }

    /** This configuration with TLS ({@code tls} may be null) and the tenant from a certificate field (or null). */
    public RemoteWriteConfig withTls(RemoteWriteTls tls, String tenantCertificateField) {
        return new RemoteWriteConfig(host, port, tenantHeader, defaultTenant, limits, ioThreads, warmupSeries,
                connections, tls, tenantCertificateField, nativeHistograms);
    }

    /** This configuration storing ({@code true}) or dropping native histograms. */
    public RemoteWriteConfig withNativeHistograms(boolean on) {
        return new RemoteWriteConfig(host, port, tenantHeader, defaultTenant, limits, ioThreads, warmupSeries,
                connections, tls, tenantCertificateField, on);
    }

    public static final String DEFAULT_TENANT_HEADER = "THANOS-TENANT";
    public static final String DEFAULT_TENANT = "default-tenant";
    public static final String PATH = "/api/v1/receive";
}
