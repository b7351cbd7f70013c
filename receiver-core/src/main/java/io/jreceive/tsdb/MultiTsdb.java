package io.jreceive.tsdb;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.exemplar.ExemplarStorage;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.TenantWriter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every tenant's {@link TenantDb}, found through a concurrent map and created on a tenant's first write without
 * failing that write (Thanos 0.38 answers 500 there). {@link #open()} opens the tenants already on disk in
 * parallel and only then reports ready. Listeners hear about every tenant opened and removed (by
 * {@link TenantPruning}), so the shipper and metrics can follow the tenants.
 */
public final class MultiTsdb implements TenantWriter, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(MultiTsdb.class);

    private final TsdbConfig config;
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, TenantDb> tenants = new ConcurrentHashMap<>();
    private final List<Consumer<TenantDb>> listeners = new ArrayList<>();
    private final List<Consumer<TenantDb>> removalListeners = new ArrayList<>();
    /** Each tenant's meters, removed from the registry with the tenant. */
    private final ConcurrentHashMap<String, List<Meter>> meters = new ConcurrentHashMap<>();
    private volatile boolean ready;
    private volatile boolean closed;
    /** Set by {@link #openWithoutStorage}. */
    private volatile boolean storageless;
    /** Each tenant's hashring labels (none without a hashring); see {@link #hashringLabels}. */
    private volatile Function<String, Map<String, String>> hashringLabels = tenant -> Map.of();

    public MultiTsdb(TsdbConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    public TsdbConfig config() {
        return config;
    }

    /** Registers a listener for every tenant opened from now on (call before {@link #open()}). */
    public synchronized void onTenantOpened(Consumer<TenantDb> listener) {
        listeners.add(listener);
    }

    /** Registers a listener for every tenant removed by pruning, after its directory is gone. */
    public synchronized void onTenantRemoved(Consumer<TenantDb> listener) {
        removalListeners.add(listener);
    }

    /**
     * Turns ready without storage, for a router-only node (Thanos' RouterOnly mode has no TSDB): the data path is
     * neither created nor read, no tenant is ever opened ({@link #tenant} refuses), and the StoreAPI over this finds
     * no tenant.
     */
    public void openWithoutStorage() {
        storageless = true;
        ready = true;
        LOG.info("no local storage (router only): {} is not used", config.path());
    }

    /**
     * Opens every tenant directory under the data path in parallel (WAL replay), then turns ready. A directory a
     * crash left half deleted by pruning is deleted, not opened.
     */
    public void open() throws IOException {
        Files.createDirectories(config.path());
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.path(), Files::isDirectory)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (TenantDb.markedForDeletion(p)) {
                    LOG.info("removing {}, left by a pruning that did not finish", p);
                    TenantDb.deleteMarked(p);
                } else {
                    names.add(name);
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(names.size(),
                Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<TenantDb>> futures = new ArrayList<>();
            for (String name : names) {
                futures.add(pool.submit(() -> TenantDb.open(name, config)));
            }
            List<TenantDb> opened = new ArrayList<>();
            Throwable failure = null;
            for (Future<TenantDb> f : futures) {
                try {
                    opened.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                // Every tenant opened is closed again (its lock released) before the start-up fails.
                closeAll(opened);
                if (failure instanceof IOException io) {
                    throw io;
                }
                throw new IOException("opening tenants: " + failure, failure);
            }
            opened.forEach(this::register);
        } finally {
            pool.shutdown();
        }
        ready = true;
        LOG.info("storage ready: {} tenants", tenants.size());
    }

    private static void closeAll(List<TenantDb> dbs) {
        for (TenantDb db : dbs) {
            try {
                db.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("tenant {}: close after a failed start: {}", db.tenant(), e.toString());
            }
        }
    }

    /**
     * Sets where each tenant's hashring {@code external_labels} come from and applies them to every open tenant;
     * tenants opened later get them as they open. Call again (or {@link #refreshHashringLabels}) after a hashring
     * reload.
     */
    public void hashringLabels(Function<String, Map<String, String>> labels) {
        hashringLabels = labels;
        refreshHashringLabels();
    }

    /** Applies the hashring labels again to every open tenant, for a hashring that changed. */
    public void refreshHashringLabels() {
        Function<String, Map<String, String>> labels = hashringLabels;
        for (TenantDb db : tenants.values()) {
            db.hashringLabels(labels.apply(db.tenant()));
        }
    }

    private void register(TenantDb db) {
        tenants.put(db.tenant(), db);
        // After the put: a concurrent hashringLabels() either sees this tenant or has set what is read here.
        db.hashringLabels(hashringLabels.apply(db.tenant()));
        String t = db.tenant();
        meters.put(t, List.of(
                Gauge.builder("prometheus.tsdb.head.series", db.head(), Head::numSeries).tag("tenant", t)
                        .description("Series in the head").register(registry),
                FunctionCounter.builder("prometheus.tsdb.head.samples.appended", db.head(), Head::samplesAppended)
                        .tag("tenant", t).tag("type", "float").description("Samples appended to the head")
                        .register(registry),
                // Prometheus' out-of-order counters (tsdb/head.go), per tenant as Thanos' multi-TSDB has them.
                FunctionCounter.builder("prometheus.tsdb.head.out.of.order.samples.appended", db.head(),
                        Head::outOfOrderAppended).tag("tenant", t).tag("type", "float")
                        .description("Total number of appended out of order samples.").register(registry),
                FunctionCounter.builder("prometheus.tsdb.too.old.samples", db.head(), Head::tooOldRejected)
                        .tag("tenant", t).tag("type", "float")
                        .description("Total number of out of order samples ingestion failed attempts due to OOO "
                                + "being enabled but the sample being too old.").register(registry),
                // Prometheus calls this prometheus_tsdb_head_series_created_total, but client_java 1.x reserves the
                // _created suffix (OpenMetrics' created timestamps) and the registry drops a meter named so.
                FunctionCounter.builder("jreceive.head.series.creations", db.head(), Head::seriesCreated)
                        .tag("tenant", t).description("Series created in the head").register(registry),
                Gauge.builder("prometheus.tsdb.head.chunks.storage.size", db.head(), Head::closedChunkBytes)
                        .tag("tenant", t).baseUnit("bytes")
                        .description("Bytes of the head's closed chunks, in chunks_head/ files").register(registry),
                FunctionCounter.builder("prometheus.tsdb.compactions", db, TenantDb::blocksWritten).tag("tenant", t)
                        .description("Blocks cut from the head").register(registry),
                FunctionTimer.builder("prometheus.tsdb.wal.fsync.duration", db.wal(), w -> w.batches(),
                        w -> w.fsyncNanos(), TimeUnit.NANOSECONDS).tag("tenant", t)
                        .description("WAL fsyncs (one per group-committed batch) and the time they took")
                        .register(registry),
                FunctionCounter.builder("jreceive.wal.appends", db.wal(), w -> w.appends()).tag("tenant", t)
                        .description("Requests committed to the WAL; appends / fsyncs is the group-commit factor")
                        .register(registry),
                // Prometheus' exemplar storage metrics (tsdb/exemplar.go), per tenant as Thanos' multi-TSDB has them.
                FunctionCounter.builder("prometheus.tsdb.exemplar.exemplars.appended", db.exemplars(),
                        ExemplarStorage::appended).tag("tenant", t).description("Total number of appended exemplars.")
                        .register(registry),
                Gauge.builder("prometheus.tsdb.exemplar.exemplars.in.storage", db.exemplars(),
                        ExemplarStorage::size).tag("tenant", t)
                        .description("Number of exemplars currently in circular storage.").register(registry),
                Gauge.builder("prometheus.tsdb.exemplar.series.with.exemplars.in.storage", db.exemplars(),
                        ExemplarStorage::seriesCount).tag("tenant", t)
                        .description("Number of series with exemplars currently in circular storage.")
                        .register(registry),
                Gauge.builder("prometheus.tsdb.exemplar.last.exemplars.timestamp", db.exemplars(),
                        ExemplarStorage::oldestTimestampSeconds).tag("tenant", t).baseUnit("seconds")
                        .description("The timestamp of the oldest exemplar stored in circular storage.")
                        .register(registry),
                Gauge.builder("prometheus.tsdb.exemplar.max.exemplars", db.exemplars(), ExemplarStorage::capacity)
                        .tag("tenant", t).description("Total number of exemplars the exemplar storage can store.")
                        .register(registry),
                FunctionCounter.builder("prometheus.tsdb.exemplar.out.of.order.exemplars", db.exemplars(),
                        ExemplarStorage::outOfOrder).tag("tenant", t)
                        .description("Total number of out of order exemplar ingestion failed attempts.")
                        .register(registry)));
        announce(listeners, db);
    }

    private void announce(List<Consumer<TenantDb>> which, TenantDb db) {
        List<Consumer<TenantDb>> ls;
        synchronized (this) {
            ls = List.copyOf(which);
        }
        ls.forEach(l -> l.accept(db));
    }

    /**
     * Forgets {@code db} and deletes its directory ({@link TenantDb#discard}), under the lock that creates tenants,
     * so a write that arrives meanwhile creates the tenant anew only once the old directory is gone.
     */
    void remove(TenantDb db) throws IOException {
        synchronized (this) {
            if (!tenants.remove(db.tenant(), db)) {
                return;
            }
            List<Meter> ms = meters.remove(db.tenant());
            if (ms != null) {
                ms.forEach(registry::remove);
            }
            try {
                db.discard();
            } finally {
                announce(removalListeners, db);
            }
        }
    }

    @Override
    public boolean ready() {
        return ready && !closed;
    }

    /** The tenant's DB, opening it on first use. */
    public TenantDb tenant(String name) {
        TenantDb db = tenants.get(name);
        if (db != null) {
            return db;
        }
        if (storageless) {
            throw new IllegalStateException("tenant " + name + ": this node stores nothing (router only)");
        }
        synchronized (this) {
            db = tenants.get(name);
            if (db == null) {
                try {
                    db = TenantDb.open(name, config);
                } catch (IOException e) {
                    throw new UncheckedIOException("open tenant " + name + ": " + e.getMessage(), e);
                }
                register(db);
                LOG.info("new tenant {}", name);
            }
            return db;
        }
    }

    @Override
    public CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
        TenantDb db = tenants.get(tenant);
        if (db == null && !Head.mayStore(batch, ctx.stats)) {
            // Nothing in the request could be stored (no samples, or only invalid series): no tenant, no directory,
            // no WAL for it; the answer comes from the counts mayStore left in ctx.stats.
            return CompletableFuture.completedFuture(null);
        }
        return db != null ? db.write(batch, ctx) : tenant(tenant).write(batch, ctx);
    }

    /** Series in {@code tenant}'s head now; 0 for a tenant not open (yet). */
    public long headSeries(String tenant) {
        TenantDb db = tenants.get(tenant);
        return db == null ? 0 : db.head().numSeries();
    }

    public Collection<TenantDb> tenants() {
        return tenants.values();
    }

    /** Runs head compaction for every tenant (called periodically). */
    public void compactAll() {
        for (TenantDb db : tenants.values()) {
            try {
                db.compact();
            } catch (IOException | RuntimeException e) {
                LOG.error("tenant {}: head compaction failed: {}", db.tenant(), e.toString());
            }
        }
    }

    /** Flushes every head into blocks (shutdown). */
    public void flushAll() {
        for (TenantDb db : tenants.values()) {
            try {
                db.flush();
            } catch (IOException | RuntimeException e) {
                LOG.error("tenant {}: flush failed: {}", db.tenant(), e.toString());
            }
        }
    }

    /**
     * Writes every head's snapshot instead of flushing it ({@code --tsdb.memory-snapshot-on-shutdown}, shutdown);
     * a tenant whose snapshot fails is flushed instead, so its head still reaches a block.
     */
    public void snapshotAll() {
        for (TenantDb db : tenants.values()) {
            try {
                if (db.snapshot() < 0) {
                    LOG.info("tenant {}: native histograms or out-of-order samples in the head, which a snapshot "
                            + "does not keep: flushing", db.tenant());
                    db.flush();
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("tenant {}: head snapshot failed ({}); the next start replays its WAL", db.tenant(),
                        e.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        for (TenantDb db : tenants.values()) {
            db.close();
        }
    }
}
