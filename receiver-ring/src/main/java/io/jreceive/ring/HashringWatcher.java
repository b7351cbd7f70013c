package io.jreceive.ring;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Holds the current {@link Hashrings} and keeps it in step with {@code --receive.hashrings-file}: the file is read
 * at start (a missing, empty or invalid file refuses start-up, as Thanos), then again on every change event of its
 * directory and every refresh interval. A new ring is applied only when the bytes differ from the last ones read.
 * Unlike Thanos, a file that fails to read, parse or build (ketama with too few endpoints, hashmod with an AZ) keeps
 * the last good ring: the error is logged and counted in {@code thanos_receive_hashrings_file_errors_total}, and
 * {@code thanos_receive_config_last_reload_successful} is 0 until a good file comes. Applying a ring swaps a
 * reference: nothing is flushed and readiness does not change. Inline configuration ({@code --receive.hashrings})
 * is parsed once.
 */
public final class HashringWatcher implements Supplier<Hashrings>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HashringWatcher.class);

    private final Path file;
    private final String algorithm;
    private final int replicationFactor;
    private final Consumer<Hashrings> onChange;
    private volatile Hashrings current;
    private byte[] lastBytes;
    private final Counter errors;
    private final Counter changes;
    private final Counter refreshes;
    private final AtomicLong lastSuccessful = new AtomicLong(1);
    private final AtomicLong lastSuccessTime = new AtomicLong();
    private final AtomicLong configHash = new AtomicLong();
    private ScheduledExecutorService timer;
    private WatchService watch;
    private Thread watcher;

    private HashringWatcher(Path file, String algorithm, int replicationFactor, Consumer<Hashrings> onChange,
                            MeterRegistry registry) {
        this.file = file;
        this.algorithm = algorithm;
        this.replicationFactor = replicationFactor;
        this.onChange = onChange;
        errors = Counter.builder("thanos_receive_hashrings_file_errors_total")
                .description("The number of errors watching the hashrings configuration file.").register(registry);
        changes = Counter.builder("thanos_receive_hashrings_file_changes_total")
                .description("The number of times the hashrings configuration file has changed.").register(registry);
        refreshes = Counter.builder("thanos_receive_hashrings_file_refreshes_total")
                .description("The number of refreshes of the hashrings configuration file.").register(registry);
        Gauge.builder("thanos_receive_config_last_reload_successful", lastSuccessful, AtomicLong::get)
                .description("Whether the last configuration reload attempt was successful.").register(registry);
        Gauge.builder("thanos_receive_config_last_reload_success_timestamp_seconds", lastSuccessTime,
                AtomicLong::get).description("Timestamp of the last successful configuration reload.")
                .register(registry);
        Gauge.builder("thanos_receive_config_hash", configHash, AtomicLong::get)
                .description("Hash of the currently loaded hashring configuration file.").register(registry);
        Gauge.builder("thanos_receive_hashring_nodes", this, w -> w.current == null ? 0 : w.current.nodes().size())
                .description("The number of nodes in the hashrings.").register(registry);
    }

    /** A ring from the file, watched; throws {@link IllegalArgumentException} if the first read fails. */
    public static HashringWatcher watch(Path file, String algorithm, int replicationFactor, long refreshMs,
                                       Consumer<Hashrings> onChange, MeterRegistry registry) throws IOException {
        HashringWatcher w = new HashringWatcher(file, algorithm, replicationFactor, onChange, registry);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--receive.hashrings-file: " + e.getMessage());
        }
        w.apply(bytes, w.build(bytes));
        w.start(refreshMs);
        return w;
    }

    /** A ring from inline content, never reloaded. */
    public static HashringWatcher fixed(String content, String algorithm, int replicationFactor,
                                        MeterRegistry registry) {
        HashringWatcher w = new HashringWatcher(null, algorithm, replicationFactor, r -> { }, registry);
        byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        w.apply(bytes, w.build(bytes));
        return w;
    }

    private Hashrings build(byte[] bytes) {
        List<HashringConfig> cfg = HashringsParser.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        return new Hashrings(cfg, algorithm, replicationFactor);
    }

    private synchronized void apply(byte[] bytes, Hashrings ring) {
        lastBytes = bytes;
        current = ring;
        lastSuccessful.set(1);
        lastSuccessTime.set(System.currentTimeMillis() / 1000);
        configHash.set(md5Prefix(bytes));
        LOG.info("hashring configuration applied: {} hashrings, {} endpoints", ring.configs().size(),
                ring.nodes().size());
        onChange.accept(ring);
    }

    /** Thanos' {@code thanos_receive_config_hash}: the first 6 bytes of the MD5, little-endian. */
    private static long md5Prefix(byte[] bytes) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest(bytes);
            long v = 0;
            for (int i = 5; i >= 0; i--) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Re-reads the file; applies it only when its bytes changed and it builds. */
    synchronized void refresh() {
        refreshes.increment();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            failed("read", e);
            return;
        }
        if (Arrays.equals(bytes, lastBytes)) {
            return;
        }
        Hashrings ring;
        try {
            ring = build(bytes);
        } catch (IllegalArgumentException e) {
            // Remember the bad bytes so one bad version is reported once, not on every tick.
            lastBytes = bytes;
            failed("parse", e);
            return;
        }
        changes.increment();
        apply(bytes, ring);
    }

    private void failed(String what, Exception e) {
        errors.increment();
        lastSuccessful.set(0);
        LOG.error("hashrings file {}: {} failed, keeping the last good ring: {}", file, what, e.getMessage());
    }

    private void start(long refreshMs) throws IOException {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hashring-refresh");
            t.setDaemon(true);
            return t;
        });
        if (refreshMs > 0) {
            timer.scheduleWithFixedDelay(this::refreshQuietly, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        }
        Path dir = file.toAbsolutePath().getParent();
        watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        watcher = new Thread(this::watchLoop, "hashring-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            failed("refresh", e);
        }
    }

    /** Any event in the file's directory triggers a re-read (a Kubernetes ConfigMap swaps a symlink there). */
    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                key.pollEvents();
                key.reset();
                timer.execute(this::refreshQuietly);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed: the receiver is stopping.
        }
    }

    @Override
    public Hashrings get() {
        return current;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                LOG.debug("closing the hashring watch: {}", e.toString());
            }
        }
    }
}
