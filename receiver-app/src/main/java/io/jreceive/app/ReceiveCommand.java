package io.jreceive.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: every {@code thanos receive} flag (v0.38) by name and default, so a Thanos manifest ports by
 * swapping the image. Flags jreceive acts on are typed; flags that only shape features jreceive does not have
 * (Cap'n Proto replication, OTLP, tracing) are accepted, and refused with a clear message only where ignoring them
 * would change what is stored. Picocli rejects unknown flags.
 */
@Command(name = "jreceive", mixinStandardHelpOptions = true, version = "jreceive 0.1.0",
        description = "Thanos Receive compatible remote-write ingestion server.", sortOptions = false)
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--remote-write.address", defaultValue = "0.0.0.0:19291", description = "Remote write listener.")
    String remoteWriteAddress;
    @Option(names = "--grpc-address", defaultValue = "0.0.0.0:10901", description = "gRPC StoreAPI listener.")
    String grpcAddress;
    @Option(names = "--http-address", defaultValue = "0.0.0.0:10902", description = "Metrics and probes listener.")
    String httpAddress;
    @Option(names = "--grpc-grace-period", defaultValue = "2m")
    String grpcGracePeriod;
    @Option(names = "--http-grace-period", defaultValue = "2m")
    String httpGracePeriod;
    @Option(names = "--grpc-server-tls-cert", defaultValue = "")
    String grpcTlsCert;
    @Option(names = "--grpc-server-tls-key", defaultValue = "")
    String grpcTlsKey;
    @Option(names = "--grpc-server-tls-client-ca", defaultValue = "")
    String grpcTlsClientCa;
    @Option(names = "--grpc-server-tls-min-version", defaultValue = "1.3")
    String grpcTlsMinVersion;
    @Option(names = "--grpc-server-max-connection-age", defaultValue = "60m")
    String grpcMaxConnectionAge;

    @Option(names = "--tsdb.path", defaultValue = "./data", description = "Data directory, one subdirectory per tenant.")
    Path tsdbPath;
    @Option(names = "--tsdb.retention", defaultValue = "15d", description = "Local block retention, 0d = forever.")
    String tsdbRetention;
    @Option(names = "--tsdb.min-block-duration", defaultValue = "2h", hidden = true)
    String minBlockDuration;
    @Option(names = "--tsdb.max-block-duration", defaultValue = "2h", hidden = true)
    String maxBlockDuration;
    @Option(names = "--tsdb.out-of-order.time-window", defaultValue = "0s")
    String oooWindow;
    @Option(names = "--tsdb.out-of-order.cap-max", defaultValue = "0")
    int oooCapMax;
    @Option(names = "--tsdb.too-far-in-future.time-window", defaultValue = "0s")
    String tooFarInFuture;
    @Option(names = "--tsdb.wal-compression", negatable = true, defaultValue = "true", fallbackValue = "true",
            arity = "0..1", description = "Snappy-compress WAL records.")
    boolean walCompression;
    @Option(names = "--tsdb.max-exemplars", defaultValue = "0")
    long maxExemplars;
    @Option(names = "--tsdb.max-retention-bytes", defaultValue = "0")
    String maxRetentionBytes;
    @Option(names = "--tsdb.no-lockfile", defaultValue = "false", arity = "0..1", fallbackValue = "true")
    boolean noLockfile;
    @Option(names = "--tsdb.allow-overlapping-blocks", defaultValue = "false", arity = "0..1", fallbackValue = "true")
    boolean allowOverlapping;
    @Option(names = "--tsdb.head.expanded-postings-cache-size", defaultValue = "0")
    long headPostingsCache;
    @Option(names = "--tsdb.block.expanded-postings-cache-size", defaultValue = "0")
    long blockPostingsCache;
    @Option(names = "--tsdb.write-queue-size", defaultValue = "0", hidden = true)
    long writeQueueSize;
    @Option(names = "--tsdb.memory-snapshot-on-shutdown", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true)
    boolean memorySnapshot;
    @Option(names = "--tsdb.enable-native-histograms", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true)
    boolean nativeHistograms;
    @Option(names = "--writer.intern", defaultValue = "false", arity = "0..1", fallbackValue = "true", hidden = true)
    boolean writerIntern;

    @Option(names = "--label", description = "External label key=\"value\"; at least one is required.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--objstore.config-file", description = "Thanos objstore YAML file; uploads are off without it.")
    Path objstoreConfigFile;
    @Option(names = "--objstore.config", description = "Thanos objstore YAML inline.")
    String objstoreConfig;

    @Option(names = "--receive.tenant-header", defaultValue = "THANOS-TENANT")
    String tenantHeader;
    @Option(names = "--receive.tenant-certificate-field", defaultValue = "")
    String tenantCertField;
    @Option(names = "--receive.default-tenant-id", defaultValue = "default-tenant")
    String defaultTenant;
    @Option(names = "--receive.tenant-label-name", defaultValue = "tenant_id")
    String tenantLabelName;
    @Option(names = "--receive.split-tenant-label-name", defaultValue = "")
    String splitTenantLabel;
    @Option(names = "--receive.replica-header", defaultValue = "THANOS-REPLICA")
    String replicaHeader;
    @Option(names = "--receive.replication-factor", defaultValue = "1")
    int replicationFactor;
    @Option(names = "--receive.replication-protocol", defaultValue = "protobuf")
    String replicationProtocol;
    @Option(names = "--receive.capnproto-address", defaultValue = "0.0.0.0:19391")
    String capnprotoAddress;
    @Option(names = "--receive.grpc-compression", defaultValue = "snappy")
    String grpcCompression;
    @Option(names = "--receive.grpc-service-config", defaultValue = "")
    String grpcServiceConfig;
    @Option(names = "--receive.forward.async-workers", defaultValue = "5")
    int forwardWorkers;
    @Option(names = "--receive-forward-timeout", defaultValue = "5s", hidden = true)
    String forwardTimeout;
    @Option(names = "--receive-forward-max-backoff", defaultValue = "5s", hidden = true)
    String forwardMaxBackoff;
    @Option(names = "--receive.hashrings-file")
    Path hashringsFile;
    @Option(names = "--receive.hashrings")
    String hashrings;
    @Option(names = "--receive.hashrings-algorithm", defaultValue = "hashmod")
    String hashringsAlgorithm;
    @Option(names = "--receive.hashrings-file-refresh-interval", defaultValue = "5m")
    String hashringsRefresh;
    @Option(names = "--receive.local-endpoint")
    String localEndpoint;
    @Option(names = "--remote-write.client-tls-secure", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            description = "Use TLS when forwarding to the other receivers.")
    boolean clientTlsSecure;
    @Option(names = "--remote-write.client-tls-skip-verify", defaultValue = "false", arity = "0..1",
            fallbackValue = "true")
    boolean clientTlsSkipVerify;
    @Option(names = "--remote-write.client-tls-cert", defaultValue = "")
    String clientTlsCert;
    @Option(names = "--remote-write.client-tls-key", defaultValue = "")
    String clientTlsKey;
    @Option(names = "--remote-write.client-tls-ca", defaultValue = "")
    String clientTlsCa;
    @Option(names = "--remote-write.client-server-name", defaultValue = "")
    String clientServerName;
    @Option(names = "--receive.relabel-config-file")
    Path relabelConfigFile;
    @Option(names = "--receive.relabel-config")
    String relabelConfig;
    @Option(names = {"--receive.limits-config-file"}, hidden = true)
    Path limitsConfigFile;
    @Option(names = {"--receive.limits-config"}, hidden = true)
    String limitsConfig;
    @Option(names = "--receive.limits-config-reload-timer", defaultValue = "1s", hidden = true)
    String limitsReload;
    @Option(names = "--receive.otlp-enable-target-info", defaultValue = "true", arity = "0..1",
            fallbackValue = "true", negatable = true)
    boolean otlpTargetInfo;
    @Option(names = "--receive.otlp-promote-resource-attributes")
    List<String> otlpPromote = new ArrayList<>();
    @Option(names = "--store.limits.request-series", defaultValue = "0")
    long storeLimitSeries;
    @Option(names = "--store.limits.request-samples", defaultValue = "0")
    long storeLimitSamples;
    @Option(names = "--matcher-cache-size", defaultValue = "0")
    int matcherCacheSize;
    @Option(names = "--hash-func", defaultValue = "")
    String hashFunc;
    @Option(names = "--shipper.ignore-unequal-block-size", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true)
    boolean ignoreUnequalBlockSize;
    @Option(names = "--shipper.allow-out-of-order-uploads", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true)
    boolean allowOutOfOrderUploads;
    @Option(names = "--enable-feature")
    List<String> features = new ArrayList<>();
    @Option(names = {"--request.logging-config-file"})
    Path requestLoggingFile;
    @Option(names = {"--request.logging-config"})
    String requestLogging;
    @Option(names = {"--tracing.config-file"})
    Path tracingFile;
    @Option(names = {"--tracing.config"})
    String tracing;
    @Option(names = "--log.level", defaultValue = "info")
    String logLevel;
    @Option(names = "--log.format", defaultValue = "logfmt")
    String logFormat;
    @Option(names = "--enable-auto-gomemlimit", defaultValue = "false", arity = "0..1", fallbackValue = "true")
    boolean autoGoMemLimit;
    @Option(names = "--auto-gomemlimit.ratio", defaultValue = "0.9")
    double goMemLimitRatio;

    @Option(names = "--remote-write.max-body-bytes", defaultValue = "33554432",
            description = "jreceive: largest compressed and decoded remote-write body; past it 413.")
    long maxBodyBytes;
    @Option(names = "--tsdb.compaction-interval", defaultValue = "1m", hidden = true,
            description = "jreceive: how often heads are checked for a block cut and retention applied.")
    String compactionInterval;
    @Option(names = "--remote-write.io-threads", defaultValue = "0",
            description = "jreceive: HTTP event-loop threads, 0 = 2 x cores.")
    int ioThreads;
    @Option(names = "--remote-write.read-header-timeout", defaultValue = "30s",
            description = "jreceive: time for a request head, from accept or the next request's first byte.")
    String readHeaderTimeout;
    @Option(names = "--remote-write.read-body-timeout", defaultValue = "2m",
            description = "jreceive: time for a request body, from the end of its head.")
    String readBodyTimeout;
    @Option(names = "--remote-write.idle-timeout", defaultValue = "6m",
            description = "jreceive: how long a keep-alive connection may wait for its next request.")
    String idleTimeout;
    @Option(names = "--remote-write.max-connections", defaultValue = "4096",
            description = "jreceive: open remote-write connections; past it 503 and close; 0 = unlimited.")
    int maxConnections;
    @Option(names = "--remote-write.max-concurrent-requests", defaultValue = "256",
            description = "jreceive: requests read or answered at once; past it 503; 0 = unlimited.")
    int maxConcurrentRequests;
    @Option(names = "--remote-write.warmup-series", defaultValue = "20000",
            description = "jreceive: series of the synthetic requests run through the ingest path (into a throwaway "
                    + "head) before ready, so the JIT has compiled it for the first burst; 0 = none.")
    int warmupSeries;

    @Override
    public Integer call() throws Exception {
        ReceiverConfig config = ReceiverConfig.from(this);
        // SIGTERM/SIGINT: flush and exit 0, as Thanos does (the JVM's default would exit 143). Installed before
        // start-up, so a signal during WAL replay stops the receiver as soon as it is up.
        java.util.concurrent.CompletableFuture<Receiver> started = new java.util.concurrent.CompletableFuture<>();
        sun.misc.SignalHandler stop = sig -> started.thenAcceptAsync(Receiver::close);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
        try (Receiver receiver = Receiver.start(config)) {
            started.complete(receiver);
            Runtime.getRuntime().addShutdownHook(new Thread(receiver::close, "shutdown"));
            receiver.awaitTermination();
        }
        return 0;
    }
}
