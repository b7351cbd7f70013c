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
@Command(name = "jreceive", version = "jreceive " + ProcessMetrics.VERSION,
        description = "Thanos Receive compatible remote-write ingestion server.", sortOptions = false,
        showDefaultValues = true)
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--remote-write.address", defaultValue = "0.0.0.0:19291", description = "Remote write listener.")
    String remoteWriteAddress;
    @Option(names = "--remote-write.server-tls-cert", defaultValue = "",
            description = "PEM certificate of the remote-write listener (HTTPS); plain HTTP without it.")
    String rwTlsCert;
    @Option(names = "--remote-write.server-tls-key", defaultValue = "",
            description = "PEM private key (PKCS#8) for --remote-write.server-tls-cert.")
    String rwTlsKey;
    @Option(names = "--remote-write.server-tls-client-ca", defaultValue = "",
            description = "PEM CA; when set, remote-write clients must present a certificate it signed.")
    String rwTlsClientCa;
    @Option(names = "--remote-write.server-tls-min-version", defaultValue = "1.3",
            description = "Oldest TLS version the remote-write listener accepts: 1.0, 1.1, 1.2 or 1.3.")
    String rwTlsMinVersion;
    @Option(names = "--http.config", defaultValue = "",
            description = "Not implemented: TLS and authentication of the ops listener; any value is refused.")
    String httpConfig;
    /** One option for all three names: picocli warns at every start about two usage-help options. */
    @Option(names = {"-h", "--help", "--help-long"}, usageHelp = true,
            description = "Show this help (--help-long as Thanos').")
    boolean help;
    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;
    @Option(names = "--grpc-address", defaultValue = "0.0.0.0:10901", description = "gRPC StoreAPI listener.")
    String grpcAddress;
    @Option(names = "--http-address", defaultValue = "0.0.0.0:10902", description = "Metrics and probes listener.")
    String httpAddress;
    @Option(names = "--grpc-grace-period", defaultValue = "2m",
            description = "How long running gRPC calls may finish on shutdown.")
    String grpcGracePeriod;
    @Option(names = "--http-grace-period", defaultValue = "2m",
            description = "Compatibility only, no effect in jreceive: the ops listener stops at once after the remote-write and gRPC listeners.")
    String httpGracePeriod;
    @Option(names = "--grpc-server-tls-cert", defaultValue = "",
            description = "PEM certificate of the gRPC server; TLS is off without it.")
    String grpcTlsCert;
    @Option(names = "--grpc-server-tls-key", defaultValue = "",
            description = "PEM private key for --grpc-server-tls-cert.")
    String grpcTlsKey;
    @Option(names = "--grpc-server-tls-client-ca", defaultValue = "",
            description = "PEM CA; when set, gRPC clients must present a certificate it signed.")
    String grpcTlsClientCa;
    @Option(names = "--grpc-server-tls-min-version", defaultValue = "1.3",
            description = "Oldest TLS version the gRPC server accepts: 1.0, 1.1, 1.2 or 1.3.")
    String grpcTlsMinVersion;
    @Option(names = "--grpc-server-max-connection-age", defaultValue = "60m",
            description = "Age after which a gRPC connection is asked to reconnect (GOAWAY); 0 = never.")
    String grpcMaxConnectionAge;

    @Option(names = "--tsdb.path", defaultValue = "./data", description = "Data directory, one subdirectory per tenant.")
    Path tsdbPath;
    @Option(names = "--tsdb.retention", defaultValue = "15d", description = "Local block retention, 0d = forever.")
    String tsdbRetention;
    @Option(names = "--tsdb.min-block-duration", defaultValue = "2h", hidden = true,
            description = "Block range; must equal --tsdb.max-block-duration.")
    String minBlockDuration;
    @Option(names = "--tsdb.max-block-duration", defaultValue = "2h", hidden = true,
            description = "Block range; must equal --tsdb.min-block-duration.")
    String maxBlockDuration;
    @Option(names = "--tsdb.out-of-order.time-window", defaultValue = "0s",
            description = "How much older than the tenant head's newest sample a float sample may be and still be "
                    + "accepted out of order (write-behind log wbl/, own blocks with hint from-out-of-order, which "
                    + "overlap others: run the Thanos Compactor with vertical compaction). 0s: older samples are "
                    + "rejected.")
    String oooWindow;
    @Option(names = "--tsdb.out-of-order.cap-max", defaultValue = "0",
            description = "Samples per out-of-order head chunk; 0 or less means 32.")
    int oooCapMax;
    @Option(names = "--tsdb.too-far-in-future.time-window", defaultValue = "0s",
            description = "Samples later than now + window are out of bounds (409); 0s = off.")
    String tooFarInFuture;
    @Option(names = "--tsdb.wal-compression", negatable = true, defaultValue = "true", fallbackValue = "true",
            arity = "0..1", description = "Snappy-compress WAL records (--no-tsdb.wal-compression to turn off). Default: true.")
    boolean walCompression;
    @Option(names = "--tsdb.max-exemplars", defaultValue = "0",
            description = "Exemplars kept per tenant in a circular buffer (the oldest is evicted when full); 0 (or less) disables exemplar storage (exemplars are dropped and counted in jreceive_exemplars_dropped_total), as in Thanos.")
    long maxExemplars;
    @Option(names = "--tsdb.max-retention-bytes", defaultValue = "0",
            description = "Per-tenant size limit (WAL + head chunks + blocks); the oldest uploaded blocks over it are deleted. Units as Thanos: 512MB, 1GiB (powers of 2). 0 = off.")
    String maxRetentionBytes;
    @Option(names = "--tsdb.memory-snapshot-on-shutdown", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true, description = "On shutdown, write a snapshot of each head (series and open chunks; "
            + "closed chunks stay in chunks_head/) instead of flushing the heads into blocks, and load it at the next "
            + "start, replaying only the WAL written after it (Prometheus' memory-snapshot-on-shutdown). Default: "
            + "false (flush, as Thanos Receive).")
    boolean memorySnapshotOnShutdown;
    @Option(names = "--tsdb.no-lockfile", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            description = "Do not lock the tenant directories. Default: ${DEFAULT-VALUE}.")
    boolean noLockfile;
    @Option(names = "--tsdb.allow-overlapping-blocks", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            description = "Compatibility only, no effect in jreceive: a no-op in Thanos v0.38 too. Default: ${DEFAULT-VALUE}.")
    boolean allowOverlapping;
    @Option(names = "--tsdb.head.expanded-postings-cache-size", defaultValue = "0",
            description = "Compatibility only, no effect in jreceive: a query cache jreceive does not have.")
    long headPostingsCache;
    @Option(names = "--tsdb.block.expanded-postings-cache-size", defaultValue = "0",
            description = "Compatibility only, no effect in jreceive: a query cache jreceive does not have.")
    long blockPostingsCache;
    @Option(names = "--tsdb.write-queue-size", defaultValue = "0", hidden = true,
            description = "Compatibility only, no effect in jreceive: jreceive's WAL queue is bounded by its own back-pressure (503).")
    long writeQueueSize;
    @Option(names = "--tsdb.enable-native-histograms", defaultValue = "true", arity = "0..1",
            fallbackValue = "true", negatable = true, hidden = true,
            description = "Store native histograms (Thanos' default is false); false drops them, counted in jreceive_histograms_dropped_total. Default: ${DEFAULT-VALUE}.")
    boolean nativeHistograms;
    @Option(names = "--writer.intern", defaultValue = "false", arity = "0..1", fallbackValue = "true", hidden = true,
            description = "Compatibility only, no effect in jreceive: a Go memory optimisation. Default: ${DEFAULT-VALUE}.")
    boolean writerIntern;

    @Option(names = "--label", description = "External label key=\"value\"; at least one is required.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--objstore.config-file", description = "Thanos objstore YAML file; uploads are off without it.")
    Path objstoreConfigFile;
    @Option(names = "--objstore.config", description = "Thanos objstore YAML inline.")
    String objstoreConfig;

    @Option(names = "--receive.tenant-header", defaultValue = "THANOS-TENANT",
            description = "HTTP header naming the tenant.")
    String tenantHeader;
    @Option(names = "--receive.tenant-certificate-field", defaultValue = "",
            description = "organization, organizationalUnit or commonName: the client certificate's field that names "
                    + "the tenant (the tenant header is then ignored); needs --remote-write.server-tls-cert.")
    String tenantCertField;
    @Option(names = "--receive.default-tenant-id", defaultValue = "default-tenant",
            description = "Tenant of requests without a tenant header.")
    String defaultTenant;
    @Option(names = "--receive.tenant-label-name", defaultValue = "tenant_id",
            description = "External label carrying the tenant.")
    String tenantLabelName;
    @Option(names = "--receive.split-tenant-label-name", defaultValue = "",
            description = "Label name whose value, on a series that carries it, names the series' tenant (the label "
                    + "is removed), as Thanos; empty = off.")
    String splitTenantLabel;
    @Option(names = "--receive.replica-header", defaultValue = "THANOS-REPLICA",
            description = "HTTP header with the replica number of a forwarded write (hashring mode).")
    String replicaHeader;
    @Option(names = "--receive.replication-factor", defaultValue = "1",
            description = "Copies of each series written (hashring mode).")
    int replicationFactor;
    @Option(names = "--receive.replication-protocol", defaultValue = "protobuf",
            description = "Forwarding protocol: protobuf; capnproto is refused.")
    String replicationProtocol;
    @Option(names = "--receive.capnproto-address", defaultValue = "0.0.0.0:19391",
            description = "Compatibility only, no effect in jreceive: Cap'n Proto replication is refused.")
    String capnprotoAddress;
    @Option(names = "--receive.grpc-compression", defaultValue = "snappy",
            description = "Compression of forwarded writes: snappy or none.")
    String grpcCompression;
    @Option(names = "--receive.grpc-service-config", defaultValue = "",
            description = "Compatibility only, no effect in jreceive: the forwarding clients use gRPC's defaults.")
    String grpcServiceConfig;
    @Option(names = "--receive.forward.async-workers", defaultValue = "5",
            description = "Compatibility only, no effect in jreceive: forwarded writes run on the gRPC client's own threads.")
    int forwardWorkers;
    @Option(names = "--receive-forward-timeout", defaultValue = "5s", hidden = true,
            description = "Timeout of one forwarded write.")
    String forwardTimeout;
    @Option(names = "--receive-forward-max-backoff", defaultValue = "5s", hidden = true,
            description = "Longest back-off before retrying an unreachable peer.")
    String forwardMaxBackoff;
    @Option(names = "--receive.hashrings-file",
            description = "Hashring JSON file, watched for changes.")
    Path hashringsFile;
    @Option(names = "--receive.hashrings",
            description = "Hashring JSON inline.")
    String hashrings;
    @Option(names = "--receive.hashrings-algorithm", defaultValue = "hashmod",
            description = "hashmod or ketama.")
    String hashringsAlgorithm;
    @Option(names = "--receive.hashrings-file-refresh-interval", defaultValue = "5m",
            description = "Periodic re-read of the hashring file.")
    String hashringsRefresh;
    @Option(names = "--receive.local-endpoint",
            description = "This node's endpoint in the hashring.")
    String localEndpoint;
    @Option(names = "--remote-write.client-tls-secure", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            description = "Use TLS when forwarding to the other receivers. Default: ${DEFAULT-VALUE}.")
    boolean clientTlsSecure;
    @Option(names = "--remote-write.client-tls-skip-verify", defaultValue = "false", arity = "0..1",
            fallbackValue = "true",
            description = "Do not verify the peers' certificates when forwarding. Default: ${DEFAULT-VALUE}.")
    boolean clientTlsSkipVerify;
    @Option(names = "--remote-write.client-tls-cert", defaultValue = "",
            description = "Client certificate for forwarding.")
    String clientTlsCert;
    @Option(names = "--remote-write.client-tls-key", defaultValue = "",
            description = "Client key for forwarding.")
    String clientTlsKey;
    @Option(names = "--remote-write.client-tls-ca", defaultValue = "",
            description = "CA to verify the peers when forwarding.")
    String clientTlsCa;
    @Option(names = "--remote-write.client-server-name", defaultValue = "",
            description = "Server name to verify when forwarding.")
    String clientServerName;
    @Option(names = "--receive.relabel-config-file",
            description = "YAML file of Prometheus relabel rules applied to every series before it is stored.")
    Path relabelConfigFile;
    @Option(names = "--receive.relabel-config",
            description = "Prometheus relabel rules inline (YAML list).")
    String relabelConfig;
    @Option(names = {"--receive.limits-config-file"}, hidden = true,
            description = "Thanos write limits YAML file (concurrency, request and head series limits), reloaded when it changes.")
    Path limitsConfigFile;
    @Option(names = {"--receive.limits-config"}, hidden = true,
            description = "Thanos write limits YAML inline.")
    String limitsConfig;
    @Option(names = "--receive.limits-config-reload-timer", defaultValue = "1s", hidden = true,
            description = "How often the limits file is checked for changes.")
    String limitsReload;
    @Option(names = "--receive.otlp-enable-target-info", defaultValue = "true", arity = "0..1",
            fallbackValue = "true", negatable = true,
            description = "Compatibility only, no effect in jreceive: jreceive has no OTLP endpoint. Default: ${DEFAULT-VALUE}.")
    boolean otlpTargetInfo;
    @Option(names = "--receive.otlp-promote-resource-attributes",
            description = "Compatibility only, no effect in jreceive: jreceive has no OTLP endpoint.")
    List<String> otlpPromote = new ArrayList<>();
    @Option(names = "--store.limits.request-series", defaultValue = "0",
            description = "Series one StoreAPI Series call may return; 0 = unlimited.")
    long storeLimitSeries;
    @Option(names = "--store.limits.request-samples", defaultValue = "0",
            description = "Samples one StoreAPI Series call may return; 0 = unlimited.")
    long storeLimitSamples;
    @Option(names = "--matcher-cache-size", defaultValue = "0",
            description = "Compatibility only, no effect in jreceive: a query cache jreceive does not have.")
    int matcherCacheSize;
    @Option(names = "--hash-func", defaultValue = "",
            description = "Only empty: file hashes in meta.json are not implemented, SHA256 is refused.")
    String hashFunc;
    @Option(names = "--shipper.ignore-unequal-block-size", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true,
            description = "Compatibility only, no effect in jreceive: jreceive's blocks always have the configured range. Default: ${DEFAULT-VALUE}.")
    boolean ignoreUnequalBlockSize;
    @Option(names = "--shipper.allow-out-of-order-uploads", defaultValue = "false", arity = "0..1",
            fallbackValue = "true", hidden = true,
            description = "Compatibility only, no effect in jreceive: every block is retried until uploaded. Default: ${DEFAULT-VALUE}.")
    boolean allowOutOfOrderUploads;
    @Option(names = "--enable-feature",
            description = "Only metric-names-filter (compatibility only, a query-side optimisation); other features are refused.")
    List<String> features = new ArrayList<>();
    @Option(names = {"--request.logging-config-file"},
            description = "Not implemented: any value is refused.")
    Path requestLoggingFile;
    @Option(names = {"--request.logging-config"},
            description = "Not implemented: any value is refused.")
    String requestLogging;
    @Option(names = {"--tracing.config-file"},
            description = "Not implemented: any value is refused.")
    Path tracingFile;
    @Option(names = {"--tracing.config"},
            description = "Not implemented: any value is refused.")
    String tracing;
    @Option(names = "--log.level", defaultValue = "info",
            description = "debug, info, warn or error.")
    String logLevel;
    @Option(names = "--log.format", defaultValue = "logfmt",
            description = "Only logfmt; json is refused.")
    String logFormat;
    @Option(names = "--enable-auto-gomemlimit", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            description = "Compatibility only, no effect in jreceive: a Go runtime setting (size the JVM with JAVA_OPTS). Default: ${DEFAULT-VALUE}.")
    boolean autoGoMemLimit;
    @Option(names = "--auto-gomemlimit.ratio", defaultValue = "0.9",
            description = "Compatibility only, no effect in jreceive: a Go runtime setting.")
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
