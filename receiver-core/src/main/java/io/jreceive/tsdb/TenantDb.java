package io.jreceive.tsdb;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

import org.agrona.collections.Long2LongHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.block.BlockMeta;
import io.jreceive.block.BlockReader;
import io.jreceive.block.BlockWriter;
import io.jreceive.block.CorruptBlockException;
import io.jreceive.block.CrashPoint;
import io.jreceive.block.ReadLease;
import io.jreceive.block.Ulid;
import io.jreceive.chunk.ChunkSeries;
import io.jreceive.encoding.EncBuf;
import io.jreceive.exemplar.ExemplarStorage;
import io.jreceive.exemplar.TenantExemplars;
import io.jreceive.head.BlockRanges;
import io.jreceive.head.ClosedChunks;
import io.jreceive.head.Head;
import io.jreceive.head.WalSink;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.TenantUnavailableException;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.labels.Labels;
import io.jreceive.wal.Checkpoint;
import io.jreceive.wal.ReplayStats;
import io.jreceive.wal.WalConfig;
import io.jreceive.wal.WalOverloadedException;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalSamples;
import io.jreceive.wal.WalSegmentWriter;
import io.jreceive.wal.WalSegments;
import io.jreceive.wal.WalVisitor;
import io.jreceive.wal.WalWriter;

/**
 * One tenant's TSDB under {@code <tsdb.path>/<tenant>/}: the head (its closed chunks in {@code chunks_head/}), its
 * Prometheus-format WAL in {@code wal/} and the local blocks. Lifecycle: {@link #open} (remove temporary dirs, load
 * blocks, replay the WAL, start the WAL writer) → {@link #write} → {@link #compact} when the head spans more than
 * 1.5 block ranges → {@link #flush} on shutdown → {@link #close}. Tenant pruning ({@link TenantPruning}) may
 * {@link #seal} it to flush an idle head, and {@link #discard} it once it is idle past the retention.
 *
 * <p>A block cut is safe to die after any step: the block is written to a temporary dir and renamed; only then is
 * the head truncated and the WAL checkpointed. On restart, blocks are loaded first and the append lower bound is
 * set to the newest block's end, so WAL samples already in a block are skipped instead of duplicated.
 */
public final class TenantDb implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TenantDb.class);

    /**
     * The head's closed chunks, in Prometheus' {@code chunks_head} files: read back at start and mapped to their
     * series during the WAL replay, which then skips the samples they hold.
     */
    static final String HEAD_CHUNKS_DIR = "chunks_head";
    /** Where releases before {@link #HEAD_CHUNKS_DIR} kept closed chunks, in a format of their own: deleted at start. */
    private static final String OLD_HEAD_CHUNKS_DIR = "head_chunks";
    /**
     * Prometheus' write-behind log: the out-of-order samples' records, in the WAL's segment format (their series
     * records are in the WAL). Replayed after the WAL; segments before an out-of-order block cut are deleted once
     * its blocks are in place.
     */
    static final String WBL_DIR = "wbl";
    /** Prometheus' block hint for blocks cut from out-of-order data. */
    static final String HINT_FROM_OUT_OF_ORDER = "from-out-of-order";

    private final String tenant;
    private final Path dir;
    private final TsdbConfig config;
    /** Replaced when the hashring's labels for this tenant change ({@link #hashringLabels}). */
    private volatile Labels externalLabels;
    private final Head head;
    private final TenantExemplars exemplars;
    private final WalWriter wal;
    /** The write-behind log's writer; null while out-of-order ingestion is off and no {@code wbl/} exists. */
    private final WalWriter wbl;
    /** The directory's lock; null with {@code --tsdb.no-lockfile}. */
    private final DirectoryLock lock;
    private final CopyOnWriteArrayList<BlockReader> blocks;
    private final Object compactLock = new Object();
    /**
     * Appends hold the read side while they touch the head; {@link #seal} takes the write side once, so that after it
     * no append is in the head and every later one is refused.
     */
    private final ReentrantReadWriteLock appendGate = new ReentrantReadWriteLock();
    private volatile boolean sealed;
    private final java.util.concurrent.atomic.AtomicLong blocksWritten = new java.util.concurrent.atomic.AtomicLong();

    private TenantDb(String tenant, Path dir, TsdbConfig config, Labels externalLabels, Head head,
                     TenantExemplars exemplars, WalWriter wal, WalWriter wbl, DirectoryLock lock,
                     List<BlockReader> blocks) {
        this.tenant = tenant;
        this.dir = dir;
        this.config = config;
        this.externalLabels = externalLabels;
        this.head = head;
        this.exemplars = exemplars;
        this.wal = wal;
        this.wbl = wbl;
        this.lock = lock;
        this.blocks = new CopyOnWriteArrayList<>(blocks);
    }

    /**
     * Opens (creating if needed) the tenant's directory, locks it (unless {@link TsdbConfig#lockfile()} is off),
     * loads its blocks and replays its WAL; nothing in the directory is touched before the lock is held.
     *
     * @throws DirectoryLock.DirectoryLockedException another process has the directory open
     */
    public static TenantDb open(String tenant, TsdbConfig config) throws IOException {
        Path dir = config.path().resolve(tenant);
        Files.createDirectories(dir);
        DirectoryLock lock = config.lockfile() ? DirectoryLock.acquire(dir) : null;
        try {
            return open(tenant, dir, config, lock);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    private static TenantDb open(String tenant, Path dir, TsdbConfig config, DirectoryLock lock)
            throws IOException {
        removeTemporary(dir);
        deleteRecursively(dir.resolve(OLD_HEAD_CHUNKS_DIR));
        List<BlockReader> blocks = loadBlocks(dir);
        Path walDir = dir.resolve("wal");
        TenantExemplars exemplars = new TenantExemplars(new ExemplarStorage(config.maxExemplars()));
        long t0 = System.nanoTime();
        Head head = newHead(dir, config, blocks);
        Snapshot snap = Snapshot.find(dir, walDir);
        if (snap != null) {
            StringBuilder why = new StringBuilder();
            long n = head.loadSnapshot(snap.file(), why);
            if (n < 0) {
                LOG.warn("tenant {}: head snapshot {} not used, replaying the whole WAL instead: {}", tenant,
                        snap.dir().getFileName(), why);
                head.close();
                head = newHead(dir, config, blocks);
                snap = null;
            } else {
                LOG.info("tenant {}: head snapshot {} loaded: {} series in {} ms", tenant, snap.dir().getFileName(),
                        n, (System.nanoTime() - t0) / 1_000_000);
            }
        }
        Path wblDir = dir.resolve(WBL_DIR);
        ReplayStats rs = replay(walDir, wblDir, head, exemplars, snap == null ? WalSegments.NONE : snap.segment());
        long mapped = head.endReplay();
        if (rs == null) {
            LOG.info("tenant {}: {} blocks, no WAL yet", tenant, blocks.size());
        } else {
            LOG.info("tenant {}: {} blocks, {} head chunks mapped, WAL replayed{} in {} ms: {}", tenant,
                    blocks.size(), mapped, snap == null ? "" : " after the snapshot",
                    (System.nanoTime() - t0) / 1_000_000, rs);
        }
        // Used once: the WAL written from now on is not in it (and a crash before this point finds it again, valid).
        Snapshot.deleteAll(dir);
        WalWriter wal = WalWriter.open(walDir, WalConfig.defaults().withCompress(config.walCompression())
                .withMaxQueuedBytes(WAL_MAX_QUEUED_BYTES), head.walUndo());
        // As Prometheus: a write-behind log left by a run with a window is kept (its data is cut into blocks with
        // the next out-of-order cut) even when this run has none.
        WalWriter wbl = null;
        if (config.oooWindowMs() > 0 || Files.isDirectory(wblDir)) {
            try {
                wbl = WalWriter.open(wblDir, WalConfig.defaults().withCompress(config.walCompression())
                        .withMaxQueuedBytes(WAL_MAX_QUEUED_BYTES), head.outOfOrderUndo());
            } catch (IOException | RuntimeException e) {
                wal.close();
                throw e;
            }
        }
        return new TenantDb(tenant, dir, config, externalLabels(tenant, config), head, exemplars, wal, wbl, lock,
                blocks);
    }

    /** The tenant's external labels: the {@code --label} set plus {@code tenant_id=<tenant>}, which wins. */
    public static Labels externalLabels(String tenant, TsdbConfig config) {
        return externalLabels(tenant, config, Map.of());
    }

    /**
     * The tenant's external labels under a hashring, as Thanos' {@code extractTenantsLabels}: the hashring's
     * {@code external_labels} for the tenant first, overridden by the {@code --label} set, overridden by
     * {@code tenant_id=<tenant>}.
     */
    static Labels externalLabels(String tenant, TsdbConfig config, Map<String, String> hashringLabels) {
        Map<String, String> m = new TreeMap<>(hashringLabels);
        m.putAll(config.externalLabels());
        m.put(config.tenantLabelName(), tenant);
        return Labels.fromMap(m);
    }

    /**
     * Sets the hashring's labels for this tenant: blocks cut from now on, the StoreAPI and the shipper carry the new
     * external labels (Thanos updates open tenants the same way on a hashring reload).
     */
    public void hashringLabels(Map<String, String> labels) {
        Labels updated = externalLabels(tenant, config, labels);
        if (!updated.equals(externalLabels)) {
            LOG.info("tenant {}: external labels now {}", tenant, updated);
            externalLabels = updated;
        }
    }

    /** A new head over the tenant's recovered head chunk files, appends bounded below by the newest block's end. */
    private static Head newHead(Path dir, TsdbConfig config, List<BlockReader> blocks) throws IOException {
        Head head = new Head(config.blockDurationMs(), config.tooFarInFutureMs(),
                ClosedChunks.files(dir.resolve(HEAD_CHUNKS_DIR)));
        head.outOfOrder(config.oooWindowMs(), config.oooCapMax());
        for (BlockReader b : blocks) {
            // Out-of-order blocks may reach past the in-order data (Prometheus' inOrderBlocksMaxTime skips them).
            if (!fromOutOfOrder(b.meta())) {
                head.setMinValidTime(b.meta().maxTime());
            }
        }
        return head;
    }

    /** Whether a block was cut from out-of-order data (its meta carries Prometheus' hint). */
    public static boolean fromOutOfOrder(BlockMeta meta) {
        return meta.compaction() != null && meta.compaction().hints() != null
                && meta.compaction().hints().contains(HINT_FROM_OUT_OF_ORDER);
    }

    /**
     * Replays the WAL into {@code head}: all of it, or with {@code afterSegment} set (a snapshot was loaded) the
     * segments after that one; then the write-behind log in {@code wblDir}, if any, all of it.
     */
    private static ReplayStats replay(Path walDir, Path wblDir, Head head, TenantExemplars exemplars,
                                      int afterSegment) throws IOException {
        if (!Files.isDirectory(walDir)) {
            return null;
        }
        // WAL refs whose label set the head holds under another id (the series left the head and came back under
        // a new ref): their samples go to that id, and checkpoints keep the ref while it has samples in the head.
        Long2LongHashMap remap = new Long2LongHashMap(-1);
        long[] maxSampleRef = {-1};
        WalVisitor visitor = new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                int id = head.replaySeries(ref, labels);
                if (id != ref) {
                    remap.put(ref, id);
                } else {
                    remap.remove(ref);
                }
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                if (ref > maxSampleRef[0]) {
                    maxSampleRef[0] = ref;
                }
                long id = remap.get(ref);
                if (id < 0) {
                    head.replaySample((int) ref, t, valueBits);
                } else if (head.replaySample((int) id, t, valueBits)) {
                    head.keepInWalUntil(ref, t);
                }
            }

            @Override
            public void onSamples(WalSamples samples) {
                if (!remap.isEmpty()) {
                    WalVisitor.super.onSamples(samples);
                    return;
                }
                final long[] refs = samples.refs();
                final int n = samples.size();
                long max = maxSampleRef[0];
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, refs[i]);
                }
                maxSampleRef[0] = max;
                head.replaySamples(refs, samples.times(), samples.values(), n);
            }

            @Override
            public void onHistogram(long ref, long t, Histogram h) {
                replayHistogram(ref, t, h);
            }

            @Override
            public void onFloatHistogram(long ref, long t, FloatHistogram h) {
                replayHistogram(ref, t, h);
            }

            private void replayHistogram(long ref, long t, Object h) {
                if (ref > maxSampleRef[0]) {
                    maxSampleRef[0] = ref;
                }
                long id = remap.get(ref);
                if (id < 0) {
                    head.replayHistogram((int) ref, t, h);
                } else if (head.replayHistogram((int) id, t, h)) {
                    head.keepInWalUntil(ref, t);
                }
            }

            @Override
            public void onExemplar(long ref, long t, long valueBits, Labels labels) {
                // A checkpoint keeps exemplars whose series record it dropped: their ref must not be reused either.
                if (ref > maxSampleRef[0]) {
                    maxSampleRef[0] = ref;
                }
                long id = remap.get(ref);
                exemplars.replay(head.labels((int) (id < 0 ? ref : id)), t, valueBits, labels);
            }
        };
        if (afterSegment != WalSegments.NONE && exemplars.storage().enabled()) {
            // A head snapshot does not keep exemplars: those of the log it stands for are read from it first (the
            // segments stay until a checkpoint folds them in), in order, before the segments after it.
            WalReader.readUpTo(walDir, afterSegment, new WalVisitor() {
                @Override
                public void onSeries(long ref, Labels labels) {
                }

                @Override
                public void onSample(long ref, long t, long valueBits) {
                }

                @Override
                public void onExemplar(long ref, long t, long valueBits, Labels labels) {
                    visitor.onExemplar(ref, t, valueBits, labels);
                }
            });
        }
        ReplayStats stats = afterSegment == WalSegments.NONE ? WalReader.replay(walDir, visitor)
                : WalReader.replayAfter(walDir, afterSegment, visitor);
        if (Files.isDirectory(wblDir)) {
            WalReader.replay(wblDir, new WalVisitor() {
                @Override
                public void onSeries(long ref, Labels labels) {
                    // Series records are in the WAL.
                }

                @Override
                public void onSample(long ref, long t, long valueBits) {
                    if (ref > maxSampleRef[0]) {
                        maxSampleRef[0] = ref;
                    }
                    long id = remap.get(ref);
                    if (id < 0) {
                        head.replayOutOfOrderSample((int) ref, t, valueBits);
                    } else if (head.replayOutOfOrderSample((int) id, t, valueBits)) {
                        head.keepInWalUntil(ref, t);
                    }
                }
            });
        }
        // A samples record may outlive the series record of its ref (removed series): no new series may take it.
        head.raiseNextId(maxSampleRef[0]);
        // Series whose every sample is in a block (a flush before the stop, a checkpoint that kept their records)
        // hold nothing: drop them now rather than at the next cut, so they answer no label query meanwhile.
        head.truncate(head.minValidTime());
        return stats;
    }

    private static void removeTemporary(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp-for-creation") || name.endsWith(".tmp-for-deletion")
                        || name.endsWith(".tmp")) {
                    LOG.info("removing leftover temporary {}", p);
                    deleteRecursively(p);
                }
            }
        }
    }

    private static List<BlockReader> loadBlocks(Path dir) throws IOException {
        List<BlockReader> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!Files.isDirectory(p) || !Ulid.isValid(p.getFileName().toString())) {
                    continue;
                }
                try {
                    out.add(BlockReader.open(p));
                } catch (CorruptBlockException e) {
                    LOG.error("skipping corrupt block {}: {}", p, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparingLong(b -> b.meta().minTime()));
        return out;
    }

    public String tenant() {
        return tenant;
    }

    public Path dir() {
        return dir;
    }

    public Labels externalLabels() {
        return externalLabels;
    }

    public Head head() {
        return head;
    }

    /** The tenant's exemplars ({@code --tsdb.max-exemplars}; empty and refusing when 0). */
    public ExemplarStorage exemplars() {
        return exemplars.storage();
    }

    public WalWriter wal() {
        return wal;
    }

    /**
     * The local blocks, oldest first (a snapshot for their metadata: retention may unmap a block of it at any time;
     * a query reads blocks through {@link #blocks(ReadLease)}).
     */
    public List<BlockReader> blocks() {
        return List.copyOf(blocks);
    }

    /** The local blocks, oldest first, each held by {@code lease} (one retired meanwhile and unmapped is left out). */
    public List<BlockReader> blocks(ReadLease lease) {
        List<BlockReader> out = new ArrayList<>(blocks.size());
        for (BlockReader b : blocks) {
            if (lease.hold(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Oldest timestamp held: the oldest block's min time, else the head's (its out-of-order data included). */
    public long minTime() {
        List<BlockReader> b = blocks;
        long h = Math.min(head.minTime(), head.outOfOrderMinTime());
        return b.isEmpty() ? h : Math.min(b.get(0).meta().minTime(), h);
    }

    /** Blocks cut from this head since it was opened. */
    public long blocksWritten() {
        return blocksWritten.get();
    }

    /**
     * Appends a request; the future completes when the accepted samples and exemplars are durable (the exemplars go
     * through {@link TenantExemplars} after the samples, in a WAL record of their own). When the WAL's queue is past
     * {@link TsdbConfig#walBackpressureBytes()} the request is refused before the head is touched
     * ({@link WalOverloadedException}, answered 503 and retried by the client): samples in the head but not in the
     * WAL would otherwise be acknowledged as duplicates on the retry without ever being durable.
     */
    public CompletableFuture<Void> write(WriteBatch batch, Head.AppendContext ctx) {
        if (wal.queuedBytes() > config.walBackpressureBytes()) {
            ctx.stats.reset();
            return CompletableFuture.failedFuture(new WalOverloadedException("WAL write queue is full ("
                    + wal.queuedBytes() + " bytes waiting for the disk); retry later"));
        }
        appendGate.readLock().lock();
        try {
            if (sealed) {
                ctx.stats.reset();
                return CompletableFuture.failedFuture(new TenantUnavailableException("tenant " + tenant
                        + " is being flushed by tenant pruning; retry later"));
            }
            CompletableFuture<Void> durable = head.append(batch, ctx, walSink);
            if (batch.exemplars().count() == 0 || durable.isCompletedExceptionally()) {
                return durable;
            }
            CompletableFuture<Void> exemplarsDurable = exemplars.append(batch, head, ctx, wal::append);
            return exemplarsDurable.isDone() && !exemplarsDurable.isCompletedExceptionally() ? durable
                    : CompletableFuture.allOf(durable, exemplarsDurable);
        } finally {
            appendGate.readLock().unlock();
        }
    }

    /**
     * Refuses every write from now on ({@link TenantUnavailableException}, answered 503 and retried by the sender)
     * and returns once no append is in the head any more, so that {@link #flush} sees all of them.
     */
    void seal() {
        appendGate.writeLock().lock();
        try {
            sealed = true;
        } finally {
            appendGate.writeLock().unlock();
        }
    }

    /** Takes writes again after {@link #seal}. */
    void unseal() {
        sealed = false;
    }

    /**
     * Time of the newest sample the tenant holds, in its head or its local blocks; {@link Long#MIN_VALUE} when it
     * holds none. The head keeps its newest time after a flush emptied it, as Prometheus' does.
     */
    public long newestSampleTime() {
        long t = head.maxTime();
        for (BlockReader b : blocks) {
            if (!fromOutOfOrder(b.meta())) { // an out-of-order block's range is aligned, not its data's
                t = Math.max(t, b.meta().maxTime() - 1);  // a block's max time is exclusive
            }
        }
        return t;
    }

    /**
     * The WAL writer's hard limit: room for every event loop's largest request above the backpressure point
     * ({@link TsdbConfig#DEFAULT_WAL_BACKPRESSURE_BYTES}).
     */
    static final long WAL_MAX_QUEUED_BYTES = 512L * 1024 * 1024;

    /** The head's WAL: float and histogram sample records go into one WAL append, all or nothing. */
    private final WalSink walSink = new WalSink() {
        @Override
        public CompletableFuture<Void> log(EncBuf series, EncBuf samples) {
            return wal.append(series, samples);
        }

        @Override
        public CompletableFuture<Void> logOutOfOrder(EncBuf samples) {
            return wbl == null ? WalSink.super.logOutOfOrder(samples) : wbl.append(samples);
        }

        @Override
        public CompletableFuture<Void> log(EncBuf series, EncBuf samples, EncBuf[] histogramRecords) {
            EncBuf[] all = new EncBuf[2 + histogramRecords.length];
            all[0] = series;
            all[1] = samples;
            System.arraycopy(histogramRecords, 0, all, 2, histogramRecords.length);
            return wal.append(all);
        }
    };

    /**
     * Cuts blocks while the head spans more than 1.5 block ranges, as Prometheus: each covers
     * {@code [head min, next range boundary)}. Returns the blocks written.
     */
    public List<BlockMeta> compact() throws IOException {
        List<BlockMeta> written = new ArrayList<>();
        synchronized (compactLock) {
            final long range = config.blockDurationMs();
            boolean cut = false;
            while (head.maxTime() != Long.MIN_VALUE && head.minTime() != Long.MAX_VALUE
                    && head.maxTime() - head.minTime() > range / 2 * 3) {
                long mint = head.minTime();
                long maxt = BlockRanges.rangeEnd(mint, range);
                BlockMeta m = persist(mint, maxt);
                if (m != null) {
                    written.add(m);
                }
                truncate(maxt);
                cut = true;
            }
            if (cut) {
                // As Prometheus' Compact: the out-of-order head is cut whenever the in-order head was.
                written.addAll(compactOutOfOrder());
            }
        }
        return written;
    }

    /**
     * Cuts every out-of-order sample of the head into blocks, one per block range it touches, as Prometheus'
     * {@code compactOOOHead}: under the append lock the data is sealed and the write-behind log cut, so the sealed
     * samples are exactly those of the segments before the cut; the blocks are written (level 1, hint
     * {@code from-out-of-order}, aligned to the range; they may overlap in-order blocks, which readers and the
     * compactor merge); then the sealed data leaves the head and those segments are deleted. A crash before the
     * deletion replays the samples again, and they are cut again: duplicates that readers merge away.
     */
    private List<BlockMeta> compactOutOfOrder() throws IOException {
        List<BlockMeta> written = new ArrayList<>();
        if (wbl == null) {
            return written;
        }
        List<CompletableFuture<Integer>> cut = new ArrayList<>(1);
        long[] span = head.sealOutOfOrder(() -> cut.add(wbl.cut()));
        int newSegment = cut.get(0).join();
        if (span != null) {
            final long range = config.blockDurationMs();
            for (long t = BlockRanges.rangeStart(span[0], range); t <= span[1]; t += range) {
                BlockMeta m = persist(t, t + range, head.sealedOutOfOrderInRange(t, t + range),
                        List.of(HINT_FROM_OUT_OF_ORDER));
                if (m != null) {
                    written.add(m);
                }
            }
            head.dropSealedOutOfOrder();
        }
        Path wblDir = dir.resolve(WBL_DIR);
        for (int seg : WalSegments.list(wblDir)) {
            if (seg < newSegment) {
                Files.deleteIfExists(WalSegments.path(wblDir, seg));
            }
        }
        return written;
    }

    /**
     * Flushes the whole head into blocks, as Thanos does on shutdown: the part before the last range boundary as
     * aligned blocks (one per range, so none crosses a boundary and the compactor can merge them), then the
     * remainder as a short block ending right after the newest sample.
     */
    public List<BlockMeta> flush() throws IOException {
        List<BlockMeta> written = new ArrayList<>();
        final long t0 = System.nanoTime();
        long truncating = 0;
        synchronized (compactLock) {
            written.addAll(compact());
            long mint = head.minTime();
            long maxt = head.maxTime();
            if (mint == Long.MAX_VALUE || maxt == Long.MIN_VALUE) {
                written.addAll(compactOutOfOrder());
                return written;
            }
            final long range = config.blockDurationMs();
            final long aligned = BlockRanges.rangeStart(maxt, range);
            while (mint < aligned) {
                long end = BlockRanges.rangeEnd(mint, range);
                BlockMeta m = persist(mint, end);
                if (m != null) {
                    written.add(m);
                }
                truncate(end);
                mint = head.minTime() == Long.MAX_VALUE ? end : Math.max(end, head.minTime());
            }
            BlockMeta m = persist(mint, maxt + 1);
            if (m != null) {
                written.add(m);
            }
            long t1 = System.nanoTime();
            truncate(maxt + 1);
            truncating = System.nanoTime() - t1;
            written.addAll(compactOutOfOrder());
        }
        // Where a planned restart's stop goes (benchmarks/restart.sh): the blocks, then the head's truncation and the
        // WAL checkpoint.
        LOG.info("tenant {}: head flushed into {} blocks in {} ms, {} ms of it truncating the head and checkpointing "
                + "the WAL", tenant, written.size(), (System.nanoTime() - t0) / 1_000_000, truncating / 1_000_000);
        return written;
    }

    /** Writes {@code [mint, maxt)} of the head as a block and adds it to the local blocks; null if empty. */
    private BlockMeta persist(long mint, long maxt) throws IOException {
        return persist(mint, maxt, head.chunksInRange(mint, maxt), List.of());
    }

    /** Writes {@code series} as a block over {@code [mint, maxt)} with {@code hints}; null if empty. */
    private BlockMeta persist(long mint, long maxt, List<ChunkSeries> series, List<String> hints)
            throws IOException {
        if (series.isEmpty()) {
            return null;
        }
        long t0 = System.nanoTime();
        BlockMeta meta = BlockWriter.write(dir, mint, maxt, series, externalLabels.toMap(), hints);
        CrashPoint.reach(CrashPoint.BLOCK_AFTER_RENAME);
        blocksWritten.incrementAndGet();
        blocks.add(BlockReader.open(dir.resolve(meta.ulid())));
        blocks.sort(Comparator.comparingLong(b -> b.meta().minTime()));
        LOG.info("tenant {}: wrote {}block {} [{}, {}) with {} series in {} ms", tenant,
                hints.isEmpty() ? "" : "out-of-order ", meta.ulid(), mint, maxt, series.size(),
                (System.nanoTime() - t0) / 1_000_000);
        return meta;
    }

    /** Drops {@code [.., t)} from the head and checkpoints the WAL: the first 2/3 of its segments, as Prometheus. */
    private void truncate(long t) throws IOException {
        head.truncate(t);
        CrashPoint.reach(CrashPoint.BEFORE_WAL_TRUNCATION);
        int newSegment = wal.cut().join();
        Path walDir = dir.resolve("wal");
        WalSegments.Range r = WalSegments.range(walDir);
        int first = r.first();
        int last = first + (newSegment - 1 - first) * 2 / 3;
        if (last >= first && last < newSegment) {
            Checkpoint.create(walDir, last, head.walCheckpointKeep(t), t, config.walCompression());
            head.forgetWalExpiries(t);
        }
    }

    /**
     * Deletes local blocks that ended more than the retention before the newest block's end, and only those
     * {@code deletable} says may go (uploaded, when a bucket is configured).
     */
    public List<String> applyRetention(Predicate<String> deletable) throws IOException {
        List<String> deleted = new ArrayList<>();
        if (config.retentionMs() <= 0 || blocks.isEmpty()) {
            return deleted;
        }
        long newest = blocks.stream().mapToLong(b -> b.meta().maxTime()).max().getAsLong();
        for (BlockReader b : List.copyOf(blocks)) {
            String ulid = b.meta().ulid();
            if (b.meta().maxTime() <= newest - config.retentionMs() && deletable.test(ulid)) {
                delete(b, "retention");
                deleted.add(ulid);
            }
        }
        return deleted;
    }

    /**
     * Size retention ({@link SizeRetention}, {@code --tsdb.max-retention-bytes}, per tenant as in Thanos): deletes
     * the oldest blocks beyond {@code maxBytes}, counting the WAL, the head's chunk files and the blocks, and only
     * those {@code deletable} says may go; 0 = off.
     */
    public List<String> applySizeRetention(long maxBytes, Predicate<String> deletable) throws IOException {
        List<String> deleted = new ArrayList<>();
        if (maxBytes <= 0 || blocks.isEmpty()) {
            return deleted;
        }
        List<BlockReader> newestFirst = new ArrayList<>(blocks);
        newestFirst.sort(Comparator.comparingLong((BlockReader b) -> b.meta().maxTime()).reversed());
        List<SizeRetention.Sized> sized = new ArrayList<>();
        for (BlockReader b : newestFirst) {
            sized.add(new SizeRetention.Sized(b.meta().ulid(), SizeRetention.directoryBytes(dir.resolve(
                    b.meta().ulid()))));
        }
        long headBytes = SizeRetention.directoryBytes(dir.resolve("wal"))
                + SizeRetention.directoryBytes(dir.resolve(WBL_DIR)) + head.closedChunkBytes();
        List<String> beyond = SizeRetention.beyond(maxBytes, headBytes, sized);
        for (BlockReader b : newestFirst) {
            if (beyond.contains(b.meta().ulid()) && deletable.test(b.meta().ulid())) {
                delete(b, "size retention");
                deleted.add(b.meta().ulid());
            }
        }
        return deleted;
    }

    private void delete(BlockReader b, String why) throws IOException {
        String ulid = b.meta().ulid();
        blocks.remove(b);
        retire(b);
        Path p = dir.resolve(ulid);
        Path tmp = dir.resolve(ulid + ".tmp-for-deletion");
        Files.move(p, tmp);
        deleteRecursively(tmp);
        LOG.info("tenant {}: {} deleted block {}", tenant, why, ulid);
    }

    /**
     * Gives up the tenant's reference to a block dropped by retention or pruning: a query still reading it (it took
     * the block list earlier) holds its own, and the files are unmapped when the last reader is done (the directory
     * itself is deleted at once: mapped files stay readable until unmapped).
     */
    private static void retire(BlockReader b) {
        b.close();
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * Shuts the tenant down with a head snapshot instead of a flush ({@code --tsdb.memory-snapshot-on-shutdown}):
     * refuses writes, closes the WAL (everything acknowledged is in it, and its last segment is complete), writes
     * the snapshot into {@code chunk_snapshot.<last segment>.<its size>.tmp/}, closes the head (its chunk files take
     * their buffered tails) and renames the directory into place, durably. The next {@link #open} loads it and
     * replays only the segments after it. Returns the number of series written, or -1 when the head holds native
     * histograms or out-of-order samples, which snapshots do not keep (nothing is done then: flush the tenant instead); {@link #close}
     * follows.
     */
    public long snapshot() throws IOException {
        seal();
        if (!head.snapshotSupported()) {
            unseal();
            return -1;
        }
        wal.close();
        Path walDir = dir.resolve("wal");
        int last = WalSegments.range(walDir).last();
        if (last == WalSegments.NONE) {
            head.close();
            return 0;
        }
        long size = Files.size(WalSegments.path(walDir, last));
        long t0 = System.nanoTime();
        Path done = dir.resolve(Snapshot.name(last, size));
        Path tmp = dir.resolve(done.getFileName() + ".tmp");
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        long n = head.writeSnapshot(tmp.resolve(Snapshot.FILE));
        head.close();
        CrashPoint.reach(CrashPoint.SNAPSHOT_BEFORE_RENAME);
        Files.move(tmp, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        WalSegmentWriter.syncDir(dir);
        LOG.info("tenant {}: head snapshot {} written: {} series in {} ms", tenant, done.getFileName(), n,
                (System.nanoTime() - t0) / 1_000_000);
        return n;
    }

    @Override
    public void close() throws IOException {
        wal.close();
        if (wbl != null) {
            wbl.close();
        }
        head.close();
        for (BlockReader b : blocks) {
            b.close();
        }
        blocks.clear();
        if (lock != null) {
            lock.close();
        }
    }

    /**
     * A file in a tenant directory that says the directory is being deleted; {@link MultiTsdb#open} deletes a
     * directory holding it instead of opening it. It lives inside the tenant directory because every name beside
     * the tenant directories is a valid tenant name (anything without a slash): a renamed {@code <tenant>.suffix}
     * directory could be another tenant's.
     */
    static final String DELETION_MARKER = "tenant-deletion-started";

    /**
     * Closes the tenant for good and deletes its directory (tenant pruning; {@link #seal sealed} and flushed before).
     * The {@link #DELETION_MARKER} is made durable first and deleted last, so a crash halfway through leaves nothing
     * that would be opened as the tenant again. Queries may still hold its blocks: they stay mapped until those end.
     */
    void discard() throws IOException {
        seal();
        wal.close();
        if (wbl != null) {
            wbl.close();
        }
        head.close();
        for (BlockReader b : blocks) {
            retire(b);
        }
        blocks.clear();
        if (lock != null) {
            lock.close();
        }
        markForDeletion(dir);
        deleteMarked(dir);
    }

    private static void markForDeletion(Path dir) throws IOException {
        Path marker = dir.resolve(DELETION_MARKER);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(marker,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir,
                java.nio.file.StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Whether {@code dir} is a tenant directory whose deletion started (and maybe did not finish). */
    static boolean markedForDeletion(Path dir) {
        return Files.exists(dir.resolve(DELETION_MARKER));
    }

    /** Deletes a directory {@link #markForDeletion marked}: everything but the marker, then the marker and it. */
    static void deleteMarked(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(DELETION_MARKER)) {
                    deleteRecursively(p);
                }
            }
        }
        deleteRecursively(dir);
    }
}
