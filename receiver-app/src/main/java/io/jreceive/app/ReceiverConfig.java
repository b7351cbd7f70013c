package io.jreceive.app;

import io.jreceive.config.GoDuration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.jreceive.ingest.CertificateTenant;
import io.jreceive.ingest.ConnectionLimits;
import io.jreceive.ingest.RemoteWriteConfig;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.ingest.RemoteWriteTls;
import io.jreceive.config.PathOrContent;
import io.jreceive.limits.LimitsConfig;
import io.jreceive.objstore.ObjstoreConfig;
import io.jreceive.relabel.RelabelConfig;
import io.jreceive.store.StoreConfig;
import io.jreceive.head.Head;
import io.jreceive.tsdb.TsdbConfig;

/**
 * The validated configuration of a whole receiver, one immutable record per component, built once from the
 * command line. Start-up refuses, with one line naming the problem, what Thanos refuses (no {@code --label}, an
 * invalid tenant label name, unequal block durations with object storage) and what jreceive cannot do faithfully
 * yet (Cap'n Proto replication): a flag
 * that silently did nothing would change what is stored or rejected.
 */
record ReceiverConfig(RemoteWriteConfig remoteWrite, TsdbConfig tsdb, Address http, StoreConfig store,
                      ObjstoreConfig objstore, long compactionIntervalMs, String logLevel, RingSettings ring,
                      Limits limits, List<RelabelConfig> relabel, long maxRetentionBytes) {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /**
     * The write limits ({@code --receive.limits-config(-file)}), already validated; null when none are set.
     *
     * @param text     the YAML in force at start
     * @param file     the file that is watched for changes, or null for the inline form
     * @param reloadMs how often the file is checked ({@code --receive.limits-config-reload-timer})
     */
    record Limits(String text, java.nio.file.Path file, long reloadMs) {
    }

    /** A {@code host:port} listen address; an empty host means all interfaces. */
    record Address(String host, int port) {
        static Address parse(String flag, String v) {
            int colon = v.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(flag + ": address \"" + v + "\" must be host:port");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": invalid port in \"" + v + "\"");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(flag + ": port out of range in \"" + v + "\"");
            }
            return new Address(host.isEmpty() ? "0.0.0.0" : host, port);
        }
    }

    static ReceiverConfig from(ReceiveCommand c) {
        Map<String, String> labels = ExternalLabelParser.parse(c.labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no external labels configured for receive, uniquely identifying "
                    + "external labels must be configured (ideally with `receive_` prefix); for example "
                    + "--label=receive_replica=\"0\"");
        }
        if (!LABEL_NAME.matcher(c.tenantLabelName).matches()) {
            throw new IllegalArgumentException("--receive.tenant-label-name: \"" + c.tenantLabelName
                    + "\" is not a valid label name");
        }
        long minBlock = duration("--tsdb.min-block-duration", c.minBlockDuration);
        long maxBlock = duration("--tsdb.max-block-duration", c.maxBlockDuration);
        if (minBlock != maxBlock) {
            throw new IllegalArgumentException("--tsdb.min-block-duration and --tsdb.max-block-duration must be equal"
                    + " (compaction needs to be disabled: local blocks are never compacted)");
        }
        if (minBlock <= 0) {
            throw new IllegalArgumentException("--tsdb.min-block-duration must be positive");
        }
        long oooWindow = duration("--tsdb.out-of-order.time-window", c.oooWindow);
        if (oooWindow < 0) {
            throw new IllegalArgumentException("--tsdb.out-of-order.time-window must not be negative");
        }
        refuseNotImplemented(c);
        Address rw = Address.parse("--remote-write.address", c.remoteWriteAddress);
        RemoteWriteLimits limits = new RemoteWriteLimits(c.maxBodyBytes, c.maxBodyBytes, 0, 0,
                RemoteWriteLimits.DEFAULT_MAX_LABELS, RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        RemoteWriteConfig rwc = new RemoteWriteConfig(rw.host(), rw.port(), c.tenantHeader, c.defaultTenant,
                limits, c.ioThreads, c.warmupSeries).withConnections(connectionLimits(c))
                .withTls(remoteWriteTls(c), tenantCertificateField(c))
                .withNativeHistograms(c.nativeHistograms);
        TsdbConfig tsdb = new TsdbConfig(c.tsdbPath.toAbsolutePath(), minBlock,
                duration("--tsdb.retention", c.tsdbRetention), c.walCompression,
                duration("--tsdb.too-far-in-future.time-window", c.tooFarInFuture), labels, c.tenantLabelName)
                .withLockfile(!c.noLockfile).withSnapshotOnShutdown(c.memorySnapshotOnShutdown)
                .withMaxExemplars(Math.max(0, c.maxExemplars))
                .withOutOfOrder(oooWindow, c.oooCapMax <= 0 ? Head.DEFAULT_OOO_CAP_MAX : c.oooCapMax);
        Address grpc = Address.parse("--grpc-address", c.grpcAddress);
        StoreConfig store;
        try {
            store = new StoreConfig(grpc.host(), grpc.port(), path(c.grpcTlsCert), path(c.grpcTlsKey),
                    path(c.grpcTlsClientCa), duration("--grpc-grace-period", c.grpcGracePeriod), c.storeLimitSeries,
                    c.storeLimitSamples, c.grpcTlsMinVersion,
                    duration("--grpc-server-max-connection-age", c.grpcMaxConnectionAge));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--grpc-server-tls-*: " + e.getMessage());
        }
        return new ReceiverConfig(rwc, tsdb, Address.parse("--http-address", c.httpAddress), store, objstore(c),
                duration("--tsdb.compaction-interval", c.compactionInterval), c.logLevel, ring(c),
                limits(c), relabel(c), bytes("--tsdb.max-retention-bytes", c.maxRetentionBytes));
    }

    /**
     * TLS of the remote-write listener, checked as Thanos' {@code tls.NewServerConfig} checks it; null = plain HTTP.
     * The files are read at start (a missing one says so, naming the flag).
     */
    private static RemoteWriteTls remoteWriteTls(ReceiveCommand c) {
        if (c.rwTlsCert.isEmpty() && c.rwTlsKey.isEmpty()) {
            if (!c.rwTlsClientCa.isEmpty()) {
                throw new IllegalArgumentException("--remote-write.server-tls-client-ca: when a client CA is used a "
                        + "server key and certificate must also be provided");
            }
            return null;
        }
        if (c.rwTlsCert.isEmpty() || c.rwTlsKey.isEmpty()) {
            throw new IllegalArgumentException("--remote-write.server-tls-cert/-key: both server key and "
                    + "certificate must be provided");
        }
        PathOrContent.read("--remote-write.server-tls-cert", path(c.rwTlsCert));
        PathOrContent.read("--remote-write.server-tls-key", path(c.rwTlsKey));
        if (!c.rwTlsClientCa.isEmpty()) {
            PathOrContent.read("--remote-write.server-tls-client-ca", path(c.rwTlsClientCa));
        }
        return new RemoteWriteTls(path(c.rwTlsCert), path(c.rwTlsKey), path(c.rwTlsClientCa), c.rwTlsMinVersion);
    }

    /**
     * {@code --receive.tenant-certificate-field}: one of Thanos' three values, and only with TLS on the remote-write
     * listener (Thanos accepts it without and then fails every request); null when unset.
     */
    private static String tenantCertificateField(ReceiveCommand c) {
        if (c.tenantCertField.isEmpty()) {
            return null;
        }
        if (!CertificateTenant.known(c.tenantCertField)) {
            throw new IllegalArgumentException("--receive.tenant-certificate-field: enum value must be one of "
                    + CertificateTenant.ORGANIZATION + "," + CertificateTenant.ORGANIZATIONAL_UNIT + ","
                    + CertificateTenant.COMMON_NAME + ", got '" + c.tenantCertField + "'");
        }
        if (c.rwTlsCert.isEmpty()) {
            throw new IllegalArgumentException("--receive.tenant-certificate-field needs TLS on the remote-write "
                    + "listener (--remote-write.server-tls-cert/-key, and -client-ca so that clients present "
                    + "certificates)");
        }
        return c.tenantCertField;
    }

    /** The hashring, replication and forwarding flags, checked as Thanos checks them plus what Thanos lets pass. */
    private static RingSettings ring(ReceiveCommand c) {
        if (c.replicationFactor < 1) {
            throw new IllegalArgumentException("--receive.replication-factor must be at least 1");
        }
        if (!c.hashringsAlgorithm.equals("hashmod") && !c.hashringsAlgorithm.equals("ketama")) {
            throw new IllegalArgumentException("--receive.hashrings-algorithm: enum value must be one of "
                    + "hashmod,ketama, got '" + c.hashringsAlgorithm + "'");
        }
        if (c.replicationProtocol.equals("capnproto")) {
            throw new IllegalArgumentException("--receive.replication-protocol=capnproto: Cap'n Proto replication "
                    + "is not supported by jreceive; use protobuf (Thanos' default), which every Thanos 0.38 "
                    + "receiver serves");
        }
        if (!c.replicationProtocol.equals("protobuf")) {
            throw new IllegalArgumentException("--receive.replication-protocol: enum value must be one of "
                    + "protobuf,capnproto, got '" + c.replicationProtocol + "'");
        }
        if (!c.grpcCompression.equals("snappy") && !c.grpcCompression.equals("none")) {
            throw new IllegalArgumentException("--receive.grpc-compression: enum value must be one of snappy,none, "
                    + "got '" + c.grpcCompression + "'");
        }
        boolean ring = c.hashringsFile != null || (c.hashrings != null && !c.hashrings.isBlank());
        if (!ring && c.replicationFactor > 1) {
            throw new IllegalArgumentException("--receive.replication-factor=" + c.replicationFactor + " needs a "
                    + "hashring (--receive.hashrings-file or --receive.hashrings): without one every write would "
                    + "fail with \"insufficient nodes; have 1, want 2\"");
        }
        if (c.clientTlsCert.isEmpty() != c.clientTlsKey.isEmpty()) {
            throw new IllegalArgumentException("--remote-write.client-tls-cert and --remote-write.client-tls-key "
                    + "go together");
        }
        return new RingSettings(c.hashringsFile, c.hashringsFile == null ? c.hashrings : null, c.hashringsAlgorithm,
                duration("--receive.hashrings-file-refresh-interval", c.hashringsRefresh),
                c.localEndpoint == null ? "" : c.localEndpoint, c.replicationFactor, c.replicaHeader,
                new io.jreceive.ring.replication.ForwardClientConfig(
                        duration("--receive-forward-timeout", c.forwardTimeout),
                        duration("--receive-forward-max-backoff", c.forwardMaxBackoff), c.grpcCompression,
                        c.clientTlsSecure, c.clientTlsSkipVerify, path(c.clientTlsCert), path(c.clientTlsKey),
                        path(c.clientTlsCa), c.clientServerName), c.splitTenantLabel);
    }

    private static ConnectionLimits connectionLimits(ReceiveCommand c) {
        try {
            return new ConnectionLimits(duration("--remote-write.read-header-timeout", c.readHeaderTimeout),
                    duration("--remote-write.read-body-timeout", c.readBodyTimeout),
                    duration("--remote-write.idle-timeout", c.idleTimeout), c.maxConnections,
                    c.maxConcurrentRequests);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage()
                    : "--remote-write.*: " + e.getMessage());
        }
    }

    /** The limits configuration, parsed once here so that an invalid one stops the start. */
    private static Limits limits(ReceiveCommand c) {
        String text = PathOrContent.content("receive.limits-config", c.limitsConfigFile, c.limitsConfig);
        if (text == null) {
            return null;
        }
        try {
            LimitsConfig.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--receive.limits-config" + (c.limitsConfigFile != null ? "-file" : "")
                    + ": " + e.getMessage());
        }
        long reload = duration("--receive.limits-config-reload-timer", c.limitsReload);
        if (reload <= 0) {
            throw new IllegalArgumentException("--receive.limits-config-reload-timer must be positive");
        }
        return new Limits(text, c.limitsConfigFile, reload);
    }

    /** The relabel rules; an empty list when none are set. */
    private static List<RelabelConfig> relabel(ReceiveCommand c) {
        String text = PathOrContent.content("receive.relabel-config", c.relabelConfigFile, c.relabelConfig);
        if (text == null) {
            return List.of();
        }
        try {
            return RelabelConfig.parseList(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--receive.relabel-config" + (c.relabelConfigFile != null ? "-file" : "")
                    + ": " + e.getMessage());
        }
    }

    /** The objstore configuration from the file (preferred, as Thanos) or the inline flag; null = no uploads. */
    private static ObjstoreConfig objstore(ReceiveCommand c) {
        try {
            if (c.objstoreConfigFile != null) {
                return ObjstoreConfig.parse(PathOrContent.read("--objstore.config-file", c.objstoreConfigFile));
            }
            if (c.objstoreConfig != null && !c.objstoreConfig.isBlank()) {
                return ObjstoreConfig.parse(c.objstoreConfig);
            }
            return null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--objstore.config-file: ") ? e.getMessage()
                    : "objstore config: " + e.getMessage());
        }
    }

    private static java.nio.file.Path path(String flag) {
        return flag == null || flag.isEmpty() ? null : java.nio.file.Path.of(flag);
    }

    /** Flags whose non-default value asks for something jreceive does not do: one line naming the flag. */
    private static void refuseNotImplemented(ReceiveCommand c) {
        if (!c.httpConfig.isEmpty()) {
            throw new IllegalArgumentException("--http.config: TLS and authentication of the ops listener are not "
                    + "implemented");
        }
        if (!c.hashFunc.isEmpty()) {
            throw new IllegalArgumentException("--hash-func: file hashes in meta.json are not implemented; only the "
                    + "default (none) is accepted");
        }
        if (c.requestLoggingFile != null || (c.requestLogging != null && !c.requestLogging.isBlank())) {
            throw new IllegalArgumentException("--request.logging-config(-file): request logging is not "
                    + "implemented");
        }
        if (c.tracingFile != null || (c.tracing != null && !c.tracing.isBlank())) {
            throw new IllegalArgumentException("--tracing.config(-file): tracing is not implemented");
        }
        if (!c.logFormat.equals("logfmt")) {
            throw new IllegalArgumentException("--log.format: only logfmt is implemented, got \"" + c.logFormat
                    + "\"");
        }
        for (String f : c.features) {
            if (!f.equals("metric-names-filter")) {
                throw new IllegalArgumentException("--enable-feature: \"" + f + "\" is not implemented (only "
                        + "metric-names-filter is accepted, for compatibility)");
            }
        }
    }

    private static long bytes(String flag, String v) {
        try {
            return io.jreceive.config.ByteSize.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static long duration(String flag, String v) {
        try {
            return GoDuration.parse(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
