package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.ingest.TenantUnavailableException;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class TenantPruningTest {
    private static final long H = 3_600_000L;
    private static final long RANGE = 2 * H;
    private static final long DAY = 24 * H;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private MultiTsdb open(long retention) throws Exception {
        MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir, RANGE, retention, true, 0, Map.of("replica", "0"),
                "tenant_id"), registry);
        tsdb.open();
        return tsdb;
    }

    /** One sample per minute in {@code [from, to]} for series {@code m{s="<series>"}}; returns the samples appended. */
    private static int write(MultiTsdb tsdb, String tenant, String series, long from, long to) {
        WriteBatch b = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (long t = from; t <= to; t += 60_000) {
            r.series(Labels.of("__name__", "m", "s", series), t, t);
        }
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        tsdb.write(tenant, b, ctx).join();
        return ctx.stats.appended;
    }

    private static long blockSamples(TenantDb db) {
        return db.blocks().stream().mapToLong(b -> b.meta().stats().numSamples()).sum();
    }

    @Test
    void runsOnceAfterEachMultipleOfTwiceTheBlockDurationInUtc() throws Exception {
        try (MultiTsdb tsdb = open(15 * DAY)) {
            long day = 20_000 * DAY;  // a midnight UTC
            TenantPruning p = new TenantPruning(tsdb, db -> true, day + 3 * H);
            assertFalse(p.due(day + 3 * H + 59 * 60_000), "03:59");
            assertTrue(p.due(day + 4 * H), "04:00");
            assertFalse(p.due(day + 4 * H + 60_000), "04:01: once per interval");
            assertFalse(p.due(day + 7 * H), "07:00");
            assertTrue(p.due(day + 8 * H + 5 * 60_000), "08:05: a pass that came late still runs");
            assertTrue(p.due(day + 20 * H), "20:00");
            assertFalse(p.due(day + 19 * H), "the clock going back runs nothing twice");
        }
    }

    @Test
    void flushesAnIdleHeadAndKeepsTheTenant() throws Exception {
        try (MultiTsdb tsdb = open(15 * DAY)) {
            long t0 = 10 * RANGE;
            assertEquals(61, write(tsdb, "a", "1", t0, t0 + H));
            TenantPruning p = new TenantPruning(tsdb, db -> true, 0);

            assertEquals(new TenantPruning.Result(List.of(), List.of()), p.run(t0 + H + 3 * H),
                    "newest sample exactly 1.5 ranges old: not idle yet");
            TenantPruning.Result r = p.run(t0 + H + 3 * H + 1);
            assertEquals(new TenantPruning.Result(List.of("a"), List.of()), r);
            TenantDb db = tsdb.tenant("a");
            assertEquals(61, blockSamples(db), "the idle head is in blocks");
            assertEquals(Long.MAX_VALUE, db.head().minTime(), "and the head is empty");
            assertEquals(t0 + H, db.newestSampleTime());

            assertEquals(new TenantPruning.Result(List.of(), List.of()), p.run(t0 + 5 * H),
                    "nothing left to flush, and still within the retention");
            assertEquals(61, write(tsdb, "a", "2", t0 + 2 * H, t0 + 3 * H), "writes are taken again");
        }
    }

    @Test
    void doesNothingWithoutARetention() throws Exception {
        try (MultiTsdb tsdb = open(0)) {
            write(tsdb, "a", "1", 0, H);
            TenantPruning.Result r = new TenantPruning(tsdb, db -> true, 0).run(100 * DAY);
            assertEquals(new TenantPruning.Result(List.of(), List.of()), r);
            assertTrue(tsdb.tenant("a").head().numSeries() > 0);
        }
    }

    @Test
    void removesATenantIdlePastTheRetentionOnceUploadedAndCreatesItAnewOnTheNextWrite() throws Exception {
        try (MultiTsdb tsdb = open(6 * H)) {
            List<String> removedEvents = new CopyOnWriteArrayList<>();
            tsdb.onTenantRemoved(db -> removedEvents.add(db.tenant()));
            long t0 = 10 * RANGE;
            write(tsdb, "a", "1", t0, t0 + H);
            write(tsdb, "b", "1", t0, t0 + 6 * H);
            TenantDb old = tsdb.tenant("a");
            List<String> asked = new ArrayList<>();
            TenantPruning p = new TenantPruning(tsdb, db -> asked.add(db.tenant()), 0);

            TenantPruning.Result r = p.run(t0 + 7 * H + 1);
            assertEquals(new TenantPruning.Result(List.of("a"), List.of("a")), r,
                    "a: idle 6h and a bit, flushed, uploads confirmed, removed; b: 1h old, left alone");
            assertEquals(List.of("a"), asked, "uploads were asked about after the flush, for the removed tenant only");
            assertEquals(List.of("a"), removedEvents);
            assertFalse(Files.exists(dir.resolve("a")), "its directory is gone");
                        assertEquals(List.of("b"), tsdb.tenants().stream().map(TenantDb::tenant).toList());
            assertNull(registry.find("prometheus.tsdb.head.series").tag("tenant", "a").gauge(), "its meters too");
            assertTrue(registry.find("prometheus.tsdb.head.series").tag("tenant", "b").gauge() != null);

            CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> old.write(new WriteBatch(), new Head.AppendContext()).join());
            assertInstanceOf(TenantUnavailableException.class, refused.getCause(),
                    "a write still holding the removed tenant is refused (503), not written into a deleted WAL");

            assertEquals(1, write(tsdb, "a", "1", t0 + 8 * H, t0 + 8 * H), "the next write creates the tenant anew");
            TenantDb fresh = tsdb.tenant("a");
            assertNotSame(old, fresh);
            assertEquals(0, fresh.blocks().size());
            assertEquals(t0 + 8 * H, fresh.head().minTime());
        }
    }

    /** Over HTTP, a write that meets a sealed tenant is answered 503 in one line, and counts nothing as written. */
    @Test
    void aSealedTenantAnswers503() throws Exception {
        Labels l = Labels.of("__name__", "m", "job", "a");
        long t = 1_700_000_000_000L;
        try (TestReceiver rx = new TestReceiver(dir)) {
            assertEquals(200, rx.postV1(new RemoteWriteRequests().series(l, t, 1).v1()).statusCode());
            TenantDb db = rx.tsdb.tenant("default-tenant");
            db.seal();
            HttpResponse<String> v1 = rx.postV1(new RemoteWriteRequests().series(l, t + 1000, 2).v1());
            assertEquals(503, v1.statusCode(), v1.body());
            assertEquals("tenant default-tenant is being flushed by tenant pruning; retry later", v1.body().strip());
            HttpResponse<String> v2 = rx.postV2(new RemoteWriteRequests().series(l, t + 1000, 2).v2());
            assertEquals(503, v2.statusCode(), v2.body());
            assertEquals("0", v2.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElse(""));
            assertEquals(t, db.head().maxTime(), "nothing appended");
            db.unseal();
            assertEquals(200, rx.postV1(new RemoteWriteRequests().series(l, t + 1000, 2).v1()).statusCode(),
                    "the retry after the pruning is a first write");
        }
    }

    @Test
    void keepsATenantWhoseUploadsAreBehind() throws Exception {
        try (MultiTsdb tsdb = open(6 * H)) {
            long t0 = 10 * RANGE;
            write(tsdb, "a", "1", t0, t0 + H);
            TenantPruning p = new TenantPruning(tsdb, db -> false, 0);
            assertEquals(new TenantPruning.Result(List.of("a"), List.of()), p.run(t0 + 8 * H));
            assertTrue(Files.isDirectory(dir.resolve("a")));
            assertEquals(61, blockSamples(tsdb.tenant("a")));
            assertEquals(61, write(tsdb, "a", "1", t0 + 8 * H, t0 + 9 * H), "writes are taken again");
        }
        try (MultiTsdb tsdb = open(6 * H)) {
            TenantDb db = tsdb.tenant("a");
            db.flush();
            assertEquals(2 * 61, blockSamples(db), "after a restart everything acknowledged is still there");
        }
    }

    @Test
    void aDirectoryLeftHalfDeletedIsRemovedAtStartInsteadOfOpened() throws Exception {
        Files.createDirectories(dir.resolve("a").resolve("wal"));
        Files.writeString(dir.resolve("a").resolve("wal").resolve("00000003"), "torn");
        Files.writeString(dir.resolve("a").resolve(TenantDb.DELETION_MARKER), "");
        try (MultiTsdb tsdb = open(6 * H)) {
            assertEquals(0, tsdb.tenants().size());
            assertFalse(Files.exists(dir.resolve("a")));
        }
    }

    /**
     * Any name without a slash is a valid tenant (Thanos' {@code path.Base} rule), so no internal name may sit
     * beside the tenant directories: a tenant named like a half-deleted directory is an ordinary tenant, kept at
     * start and untouched by the pruning of its namesake.
     */
    @Test
    void aTenantNamedLikeAnInternalDirectoryIsATenant() throws Exception {
        String odd = "a.tmp-for-deletion";
        long t0 = 10 * RANGE;
        try (MultiTsdb tsdb = open(6 * H)) {
            assertEquals(61, write(tsdb, odd, "1", t0 + 6 * H, t0 + 7 * H));
        }
        try (MultiTsdb tsdb = open(6 * H)) {
            assertEquals(List.of(odd), tsdb.tenants().stream().map(TenantDb::tenant).toList(), "kept at start");
            write(tsdb, "a", "1", t0, t0 + H);
            TenantPruning.Result r = new TenantPruning(tsdb, db -> true, 0).run(t0 + 7 * H + 1);
            assertEquals(List.of("a"), r.removed());
            assertTrue(Files.isDirectory(dir.resolve(odd).resolve("wal")), "the namesake's directory is intact");
        }
        try (MultiTsdb tsdb = open(6 * H)) {
            Head head = tsdb.tenant(odd).head();
            assertEquals(List.of(t0 + 6 * H, t0 + 7 * H), List.of(head.minTime(), head.maxTime()),
                    "its WAL replays after the pruning");
        }
    }

    /**
     * Writers keep appending while a pruning flushes their tenant's head: every sample a write reported as appended
     * ends up in exactly one block, and the writes that met the sealed tenant were refused as a whole (503).
     */
    @Test
    void noAcknowledgedSampleIsLostToAFlushRacingWithWrites() throws Exception {
        try (MultiTsdb tsdb = open(15 * DAY)) {
            long t0 = 10 * RANGE;
            write(tsdb, "a", "seed", t0, t0);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong appended = new AtomicLong(1);
            AtomicLong refused = new AtomicLong();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                final String series = "w" + w;
                Thread th = new Thread(() -> {
                    WriteBatch b = new WriteBatch();
                    Head.AppendContext ctx = new Head.AppendContext();
                    RemoteWriteDecoder dec = new RemoteWriteDecoder();
                    for (long t = t0 + 1; !stop.get() && t < t0 + RANGE; t++) {
                        byte[] raw = new RemoteWriteRequests().series(Labels.of("__name__", "m", "s", series), t, t)
                                .v1Message().toByteArray();
                        dec.decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
                        try {
                            tsdb.write("a", b, ctx).join();
                            appended.addAndGet(ctx.stats.appended);
                        } catch (CompletionException e) {
                            if (e.getCause() instanceof TenantUnavailableException && ctx.stats.appended == 0) {
                                refused.incrementAndGet();
                            } else {
                                errors.add(e);
                            }
                        }
                    }
                }, "writer-" + w);
                writers.add(th);
                th.start();
            }
            TenantPruning p = new TenantPruning(tsdb, db -> true, 0);
            int flushes = 0;
            // At least 60 runs, and on until more than 10 flushes raced with the writers: on a loaded machine the
            // writers may get little done between runs. Bounded by a minute.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int run = 0; run < 60 || (flushes <= 10 && System.nanoTime() < deadline); run++) {
                Thread.sleep(1);
                // Every sample written here is over 1.5 ranges old at this time: each run flushes what came since.
                flushes += p.run(t0 + 2 * RANGE).flushed().size();
            }
            stop.set(true);
            for (Thread th : writers) {
                th.join();
            }
            assertEquals(List.of(), errors);
            TenantDb db = tsdb.tenant("a");
            db.flush();
            assertEquals(appended.get(), blockSamples(db), "every appended sample is in a block, none twice ("
                    + flushes + " flushes, " + refused.get() + " writes refused)");
            assertTrue(flushes > 10 && refused.get() > 0, flushes + " flushes, " + refused.get() + " writes refused");
        }
    }
}
