package io.jreceive.app;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.ingest.RemoteWriteServer;
import io.jreceive.tsdb.MultiTsdb;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A running receiver: the ops listener first (so probes answer during WAL replay), then storage (every tenant
 * opened and replayed), then the remote-write listener and a background loop that cuts blocks every minute.
 * {@link #close()} is the SIGTERM path: stop accepting writes, wait for requests in flight, flush every head into
 * blocks, close the WALs, stop the ops listener.
 */
final class Receiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    static final long COMPACT_INTERVAL_MS = 60_000;

    private final ReceiverConfig config;
    private final PrometheusMeterRegistry registry;
    private final OpsServer ops;
    private final MultiTsdb tsdb;
    private final RemoteWriteServer remoteWrite;
    private final ScheduledExecutorService background;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private Receiver(ReceiverConfig config) throws IOException, InterruptedException {
        this.config = config;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        tsdb = new MultiTsdb(config.tsdb(), registry);
        ops = new OpsServer(config.http().host(), config.http().port(), registry, tsdb::ready);
        tsdb.open();
        remoteWrite = new RemoteWriteServer(config.remoteWrite(), tsdb, registry);
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "compactor");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(tsdb::compactAll, COMPACT_INTERVAL_MS, COMPACT_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
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

    void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down: stop ingest, flush heads, close storage");
        remoteWrite.close();
        background.shutdownNow();
        try {
            background.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tsdb.flushAll();
        try {
            tsdb.close();
        } catch (IOException e) {
            LOG.error("closing storage: {}", e.toString());
        }
        ops.close();
        stopped.countDown();
        LOG.info("shutdown complete");
    }
}
