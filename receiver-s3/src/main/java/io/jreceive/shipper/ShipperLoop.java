package io.jreceive.shipper;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the shippers of all tenants: a sync at {@link #start()}, every {@code interval} after that (30 s in
 * Thanos), on demand through {@link #syncNow()}, and a final one in {@link #close()}, after the app has flushed the
 * heads. A sync runs every current tenant's shipper, up to {@code parallelism} at once; syncs never overlap.
 *
 * <p>Unlike Thanos, a failing first sync does not stop start-up: {@link #start()} returns at once, ingestion goes
 * on, the next ticks retry, and the shippers' metrics show the blocks waiting.
 */
public final class ShipperLoop implements AutoCloseable {
    /** Thanos' upload interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ShipperLoop.class);

    private final Supplier<? extends Collection<Shipper>> shippers;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private ScheduledFuture<?> ticker;
    private boolean closed;

    /**
     * A loop over the shippers {@code shippers} returns at each sync (tenants come and go).
     *
     * @param shippers    the current shippers, asked at every sync
     * @param interval    time between the end of one periodic sync and the start of the next
     * @param parallelism how many tenants sync at once, at least 1
     */
    public ShipperLoop(Supplier<? extends Collection<Shipper>> shippers, Duration interval, int parallelism) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("shipper interval must be positive: " + interval);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("shipper parallelism must be at least 1: " + parallelism);
        }
        this.shippers = shippers;
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("jreceive-shipper"));
        this.workers = Executors.newFixedThreadPool(parallelism, threads("jreceive-shipper-worker"));
    }

    /** Starts the periodic syncs; returns the first sync's outcome without waiting for it. */
    public synchronized CompletableFuture<List<SyncResult>> start() {
        if (closed || ticker != null) {
            throw new IllegalStateException(closed ? "shipper loop is closed" : "shipper loop already started");
        }
        CompletableFuture<List<SyncResult>> first = CompletableFuture.supplyAsync(this::runOnce, scheduler);
        long ms = interval.toMillis();
        ticker = scheduler.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
        return first;
    }

    /** Queues a sync of every tenant now, for example after a flush; completes with each tenant's result. */
    public synchronized CompletableFuture<List<SyncResult>> syncNow() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("shipper loop is closed"));
        }
        return CompletableFuture.supplyAsync(this::runOnce, scheduler);
    }

    private List<SyncResult> runOnce() {
        List<Shipper> current = List.copyOf(shippers.get());
        List<Future<SyncResult>> running = new ArrayList<>(current.size());
        for (Shipper s : current) {
            running.add(workers.submit(s::sync));
        }
        List<SyncResult> results = new ArrayList<>(current.size());
        for (int i = 0; i < running.size(); i++) {
            try {
                results.add(running.get(i).get());
            } catch (ExecutionException e) {
                LOG.error("tenant {}: shipper sync crashed", current.get(i).tenant(), e.getCause());
                results.add(new SyncResult(current.get(i).tenant(), 0, 0,
                        new IOException("shipper sync crashed: " + e.getCause(), e.getCause())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.add(new SyncResult(current.get(i).tenant(), 0, 0, new IOException("interrupted")));
            }
        }
        return results;
    }

    /**
     * Stops the periodic syncs, runs the final sync ("uploading the final cut block before exiting") and waits for
     * it, then stops the threads. Call it after the heads were flushed to blocks.
     */
    @Override
    public void close() {
        CompletableFuture<List<SyncResult>> last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (ticker != null) {
                ticker.cancel(false);
            }
            last = CompletableFuture.supplyAsync(this::runOnce, scheduler);
        }
        try {
            for (SyncResult r : last.get()) {
                if (!r.ok()) {
                    LOG.warn("tenant {}: final upload failed, {} block(s) not in the bucket: {}", r.tenant(),
                            r.waiting(), r.error().getMessage());
                }
            }
        } catch (ExecutionException e) {
            LOG.error("final shipper sync crashed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scheduler.shutdownNow();
            workers.shutdownNow();
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
