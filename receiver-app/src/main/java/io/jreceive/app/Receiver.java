package io.jreceive.app;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.ingest.IngestWarmup;
import io.jreceive.ingest.LocalWriteRouter;
import io.jreceive.ingest.RemoteWriteConfig;
import io.jreceive.ingest.RemoteWriteServer;
import io.jreceive.ingest.SplitTenantRouter;
import io.jreceive.ingest.WriteRouter;
import io.jreceive.ingest.TsdbStatusApi;
import io.jreceive.limits.WriteLimiter;
import io.jreceive.objstore.Bucket;
import io.jreceive.relabel.BatchRelabeler;
import io.jreceive.relabel.Relabeler;
import io.jreceive.ring.HashringWatcher;
import io.jreceive.ring.Mode;
import io.jreceive.ring.replication.PeerClients;
import io.jreceive.ring.replication.Router;
import io.jreceive.ring.replication.WriteableStoreService;
import io.jreceive.objstore.Buckets;
import io.jreceive.objstore.ObjstoreConfig;
import io.jreceive.shipper.Shipper;
import io.jreceive.shipper.ShipperLoop;
import io.jreceive.shipper.SyncResult;
import io.jreceive.store.StoreConfig;
import io.jreceive.store.StoreServer;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TenantDb;
import io.jreceive.tsdb.TenantPruning;
import io.jreceive.tsdb.TsdbConfig;
import io.jreceive.tsdb.TsdbStatus;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A running receiver: the ops listener first (so probes answer during WAL replay), then storage (every tenant
 * opened and replayed), the ingest warm-up ({@link IngestWarmup}), then the gRPC StoreAPI and the remote-write
 * listener, the shipper loop when a bucket is configured (its first sync may fail without stopping start-up) and a
 * background loop that cuts blocks and applies retention every minute; retention deletes a block only once the
 * shipper has recorded it as uploaded. The same loop runs Thanos' tenant pruning ({@link TenantPruning}) every
 * twice the block duration: idle heads become blocks, and tenants idle past the retention are removed once their
 * blocks are in the bucket. {@link #close()} is the SIGTERM path: stop accepting writes, wait for
 * requests in flight, flush every head into blocks, run the final upload, close the WALs, stop the ops listener.
 */
final class Receiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    /**
     * Warm-up shape: 500 series for 150 rounds in requests of 2000 samples, then every new series gets 4 samples, in
     * requests of 2000 (Prometheus' batch), a fresh head per 2000 series, and the JIT is waited for. 20000 series
     * (the flag's default) took 0.8-1 s on 2 cores without the steady phase and the wait and brought p99 at the
     * first burst of new series from about 107 to 59 ms (benchmarks/RESULTS.md, 2026-12-02); with them 2.6-4.2 s,
     * and C2 no longer takes a core during the first load (2026-12-03).
     */
    private static final int WARMUP_ROUNDS = 4;
    private static final int WARMUP_BATCH = 2000;
    private static final int WARMUP_HEAD_SERIES = 2000;
    private static final int WARMUP_STEADY_SERIES = 500;
    private static final int WARMUP_STEADY_ROUNDS = 150;
    /** Native histogram series and rounds of the warm-up (when native histograms are on): see IngestWarmup. */
    private static final int WARMUP_HISTOGRAM_SERIES = 200;
    private static final int WARMUP_HISTOGRAM_ROUNDS = 100;
    /** Small requests at the warm-up's end: C2 compiles a method after several hundred calls (IngestWarmup). */
    private static final int WARMUP_SMALL_REQUESTS = 700;
    private final ReceiverConfig config;
    private final PrometheusMeterRegistry registry;
    private final OpsServer ops;
    private final MultiTsdb tsdb;
    private final RemoteWriteServer remoteWrite;
    /** Null without a limits configuration. */
    private final WriteLimiter limiter;
    private final StoreServer store;
    private final ScheduledExecutorService background;
    private final Bucket bucket;
    private final ConcurrentHashMap<String, Shipper> shippers = new ConcurrentHashMap<>();
    private final ShipperLoop shipperLoop;
    private final TenantPruning pruning;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Mode mode;
    /** The current hashrings (null in ingestor-only mode) and the peers writes are forwarded to. */
    private final HashringWatcher rings;
    private final PeerClients peers;
    private boolean closed;
    /** Ready = storage open and every listener up; {@code /-/ready} answers 200 only then. */
    private volatile boolean serving;

    private Receiver(ReceiverConfig config) throws IOException, InterruptedException {
        this.config = config;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        ProcessMetrics.bindTo(registry);
        tsdb = new MultiTsdb(config.tsdb(), registry);
        RingSettings rs = config.ring();
        mode = rs.mode();
        LOG.info("starting jreceive {} (Java {}): remote write {}:{}, gRPC {}:{}, HTTP {}:{}, mode {}, data {}",
                ProcessMetrics.VERSION, System.getProperty("java.version"), config.remoteWrite().host(),
                config.remoteWrite().port(), config.store().host(), config.store().port(), config.http().host(),
                config.http().port(), thanosName(mode), config.tsdb().path());
        if (mode == Mode.INGESTOR_ONLY) {
            peers = null;
            rings = null;
        } else {
            peers = new PeerClients(rs.client(), registry);
            rings = rs.file() != null
                    ? HashringWatcher.watch(rs.file(), rs.algorithm(), rs.replicationFactor(), rs.refreshMs(),
                            ring -> {
                                peers.retainOnly(ring.distinctNodes());
                                tsdb.refreshHashringLabels();
                            }, registry)
                    : HashringWatcher.fixed(rs.content(), rs.algorithm(), rs.replicationFactor(), registry);
            tsdb.hashringLabels(tenant -> rings.get().externalLabels(tenant));
        }
        Router ring = new Router(mode, rings, rs.localEndpoint(), rs.replicationFactor(),
                mode == Mode.ROUTER_ONLY ? null : tsdb, peers);
        WriteRouter router = rs.splitTenantLabel().isEmpty() ? ring
                : new SplitTenantRouter(ring, rs.splitTenantLabel());
        TsdbStatusApi status = new TsdbStatusApi((tenants, limit) -> TsdbStatus.json(tsdb, tenants, limit),
                config.remoteWrite().tenantHeader(), config.remoteWrite().defaultTenant(), tsdb::ready);
        ops = listen("--http-address", config.http().host(), config.http().port(),
                () -> new OpsServer(config.http().host(), config.http().port(), registry,
                        () -> serving && tsdb.ready(), status));
        ObjstoreConfig objstore = config.objstore();
        // A router-only node stores nothing, so it ships nothing.
        bucket = objstore == null || mode == Mode.ROUTER_ONLY ? null : Buckets.create(objstore);
        if (bucket != null) {
            tsdb.onTenantOpened(db -> shippers.put(db.tenant(), new Shipper(db.dir(), bucket,
                    () -> db.externalLabels().toMap(), Clock.systemUTC(), registry)));
            tsdb.onTenantRemoved(db -> {
                Shipper s = shippers.remove(db.tenant());
                if (s != null) {
                    s.close();
                }
            });
            LOG.info("uploads enabled to {} bucket {}", objstore.type(), bucket.name());
        } else {
            LOG.info("no object storage configured: uploads are off");
        }
        if (mode == Mode.ROUTER_ONLY) {
            tsdb.openWithoutStorage();
        } else {
            tsdb.open();
        }
        // The warm-up runs after the WAL replay, not beside it: on two cores the two (and the compilers) took
        // turns, the replay of 100k series x 120 samples took twice as long, and ready came 1.5-2 s later than
        // without a warm-up, while the first burst gained 0.7 s (benchmarks/RESULTS.md, 2026-12-07, issue 23). A
        // replay that created at least as many series as the warm-up would has run the append path itself: no
        // warm-up then. After a smaller one it runs without waiting for the compilers.
        long replayedSeries = tsdb.tenants().stream().mapToLong(db -> db.head().numSeries()).sum();
        boolean hadData = !tsdb.tenants().isEmpty();
        CompletableFuture<Void> warmUp = null;
        if (replayedSeries > 0 && replayedSeries >= config.remoteWrite().warmupSeries()) {
            LOG.info("ingest warm-up skipped: the WAL replay created {} series", replayedSeries);
        } else {
            warmUp = startWarmUp(config.remoteWrite(), config.tsdb(), () -> hadData);
        }
        pruning = new TenantPruning(tsdb, this::uploadedAll, System.currentTimeMillis());
        finishWarmUp(warmUp);
        store = listen("--grpc-address", config.store().host(), config.store().port(),
                () -> new StoreServer(config.store(), tsdb, registry, List.of(new WriteableStoreService(router,
                        config.remoteWrite().defaultTenant(), config.remoteWrite().limits()).definition())).start());
        limiter = config.limits() == null ? null : new WriteLimiter(config.limits().text(), config.limits().file(),
                config.limits().reloadMs(), tsdb::headSeries, registry);
        // Ingestor-only: the HTTP path appends directly (no hop through the ring's router); gRPC writes go via it.
        remoteWrite = listen("--remote-write.address", config.remoteWrite().host(), config.remoteWrite().port(),
                () -> new RemoteWriteServer(config.remoteWrite(), tsdb, httpRouter(mode, router, rs),
                        rs.replicaHeader(), registry, limiter,
                        config.relabel().isEmpty() ? null : new BatchRelabeler(new Relabeler(config.relabel())),
                        status));
        shipperLoop = bucket == null ? null
                : new ShipperLoop(shippers::values, ShipperLoop.DEFAULT_INTERVAL, 2);
        if (shipperLoop != null) {
            shipperLoop.start();
        }
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "compactor");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(this::maintain, config.compactionIntervalMs(),
                config.compactionIntervalMs(), TimeUnit.MILLISECONDS);
        serving = true;
        LOG.info("ready: remote write on {}:{}, gRPC on {}:{}, HTTP on {}:{}", config.remoteWrite().host(),
                remoteWrite.port(), config.store().host(), store.port(), config.http().host(), ops.port());
    }

    /**
     * Where HTTP writes go: straight to the storage in ingestor-only mode (no router at all), or, when tenants are
     * split from a label, through the split to the local storage (whole batches, histograms included); in a
     * hashring through {@code router}.
     */
    private WriteRouter httpRouter(Mode mode, WriteRouter router, RingSettings rs) {
        if (mode != Mode.INGESTOR_ONLY) {
            return router;
        }
        return rs.splitTenantLabel().isEmpty() ? null
                : new SplitTenantRouter(new LocalWriteRouter(tsdb), rs.splitTenantLabel());
    }

    /** Thanos' name of a mode, as its logs and flags documentation write it. */
    private static String thanosName(Mode mode) {
        return switch (mode) {
            case INGESTOR_ONLY -> "IngestorOnly";
            case ROUTER_INGESTOR -> "RouterIngestor";
            case ROUTER_ONLY -> "RouterOnly";
        };
    }

    /** Starts a listener; an address it cannot bind stops start-up with a {@link ListenException} naming the flag. */
    private static <T> T listen(String flag, String host, int port, Listener<T> listener)
            throws IOException, InterruptedException {
        try {
            return listener.start();
        } catch (Exception e) {
            // Netty's sync() rethrows a bind failure as the checked BindException itself, gRPC wraps it.
            IOException bind = ListenException.bindCause(e);
            if (bind != null) {
                throw new ListenException(flag, host + ":" + port, bind);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
    }

    /** What {@link #listen} starts. */
    @FunctionalInterface
    private interface Listener<T> {
        T start() throws Exception;
    }

    /**
     * Starts the ingest warm-up on a thread of its own (its per-thread decode buffers go with it); null when it is
     * off.
     */
    private static CompletableFuture<Void> startWarmUp(RemoteWriteConfig rw, TsdbConfig tsdb,
                                                       BooleanSupplier stopWaiting) {
        if (rw.warmupSeries() <= 0) {
            return null;
        }
        return CompletableFuture.runAsync(
                () -> IngestWarmup.run(rw, new IngestWarmup.Plan(rw.warmupSeries(), WARMUP_ROUNDS, WARMUP_BATCH,
                        WARMUP_HEAD_SERIES, WARMUP_STEADY_SERIES, WARMUP_STEADY_ROUNDS, true)
                        .withOutOfOrder(tsdb.oooWindowMs(), tsdb.oooCapMax())
                        .withHistograms(rw.nativeHistograms() ? WARMUP_HISTOGRAM_SERIES : 0,
                                WARMUP_HISTOGRAM_ROUNDS)
                        .withSmallRequests(WARMUP_SMALL_REQUESTS), stopWaiting),
                r -> {
                    Thread t = new Thread(r, "ingest-warmup");
                    t.setDaemon(true);
                    t.start();
                });
    }

    /**
     * Waits for the warm-up and collects its heads; a failure is logged and start-up goes on, real requests get real
     * answers.
     */
    private static void finishWarmUp(CompletableFuture<Void> warmUp) {
        if (warmUp == null) {
            return;
        }
        try {
            warmUp.join();
            // Its heads are garbage now: collect them before ready rather than promote them on the first load.
            System.gc();
        } catch (CompletionException e) {
            LOG.error("ingest warm-up failed: {}", e.getCause().toString());
        }
    }

    /** Cuts blocks where heads are due, ships new ones, and applies retention to what is uploaded. */
    private void maintain() {
        boolean cut = false;
        for (TenantDb db : tsdb.tenants()) {
            try {
                cut |= !db.compact().isEmpty();
                Shipper shipper = shippers.get(db.tenant());
                java.util.function.Predicate<String> uploaded =
                        ulid -> shipper == null ? bucket == null : shipper.uploaded().contains(ulid);
                db.applyRetention(uploaded);
                db.applySizeRetention(config.maxRetentionBytes(), uploaded);
            } catch (IOException | RuntimeException e) {
                LOG.error("tenant {}: block maintenance failed: {}", db.tenant(), e.toString());
            }
        }
        long now = System.currentTimeMillis();
        if (pruning.due(now)) {
            cut |= !pruning.run(now).flushed().isEmpty();
        }
        if (cut && shipperLoop != null) {
            shipperLoop.syncNow();
        }
    }

    /**
     * Whether every block of a tenant that pruning is about to remove is in the bucket, after one more upload
     * attempt; always true without a bucket (Thanos removes such a tenant's blocks with it).
     */
    private boolean uploadedAll(TenantDb db) {
        if (bucket == null) {
            return true;
        }
        Shipper shipper = shippers.get(db.tenant());
        if (shipper == null) {
            return false;
        }
        SyncResult r = shipper.sync();
        return r.ok() && r.waiting() == 0;
    }

    static Receiver start(ReceiverConfig config) throws IOException, InterruptedException {
        return new Receiver(config);
    }

    int remoteWritePort() {
        return remoteWrite.port();
    }

    int httpPort() {
        return ops.port();
    }

    int grpcPort() {
        return store.port();
    }

    void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving = false;
        LOG.info("shutting down: stop ingest, flush heads, close storage");
        final long t0 = System.nanoTime();
        remoteWrite.close();
        final long ingestStopped = System.nanoTime();
        if (limiter != null) {
            limiter.close();
        }
        if (rings != null) {
            rings.close();
        }
        // A block cut that is running finishes (it is bounded by the head's size) instead of being interrupted
        // half-written; no new maintenance starts. Only a cut still running after a minute is interrupted.
        background.shutdown();
        try {
            if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("block maintenance still running after a minute; interrupting it");
                background.shutdownNow();
                background.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            background.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (config.tsdb().snapshotOnShutdown()) {
            tsdb.snapshotAll();
        } else {
            tsdb.flushAll();
        }
        final long headsDone = System.nanoTime();
        if (shipperLoop != null) {
            LOG.info("uploading the final cut blocks before exiting");
            shipperLoop.close();
        }
        final long storeFrom = System.nanoTime();
        store.close();
        final long storeClosed = System.nanoTime();
        if (peers != null) {
            peers.close();
        }
        try {
            tsdb.close();
        } catch (IOException e) {
            LOG.error("closing storage: {}", e.toString());
        }
        if (bucket != null) {
            try {
                bucket.close();
            } catch (IOException e) {
                LOG.warn("closing bucket: {}", e.toString());
            }
        }
        final long opsFrom = System.nanoTime();
        ops.close();
        stopped.countDown();
        final long end = System.nanoTime();
        // Where a planned restart's stop goes (benchmarks/restart.sh).
        LOG.info("shutdown complete in {} ms: ingest stopped in {} ms, heads {} in {} ms, StoreAPI closed in {} ms, "
                + "ops listener in {} ms", (end - t0) / 1_000_000, (ingestStopped - t0) / 1_000_000,
                config.tsdb().snapshotOnShutdown() ? "snapshotted" : "flushed", (headsDone - ingestStopped) / 1_000_000,
                (storeClosed - storeFrom) / 1_000_000, (end - opsFrom) / 1_000_000);
    }
}
