package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.tsdb.TenantDb;

/**
 * Series queries racing appends and block cuts: every answer must be sorted, every chunk must decode, no sample
 * may come twice, and every sample written before the query started must be in it (a cut moving data from the
 * head into a new block must not hide it).
 */
class ConcurrentSeriesTest {
    static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % StoreFixture.H2;
    static final long STEP = 15_000;
    static final long WINDOW = 600_000;
    static final int SERIES = 20;
    static final int WINDOWS = 72;

    @TempDir
    Path dir;

    static double value(int s, long t) {
        return s * 1e9 + (t - T0) / (double) STEP + 0.25;
    }

    @Test
    void queriesDuringAppendsAndCuts() throws Exception {
        try (StoreFixture fx = new StoreFixture(dir, Map.of("replica", "r"), 0, 0)) {
            ExecutorService writer = Executors.newSingleThreadExecutor();
            long[] writtenUpTo = {T0};
            Future<?> w = writer.submit(() -> {
                for (int k = 0; k < WINDOWS; k++) {
                    long from = T0 + k * WINDOW;
                    StoreFixture.Window win = fx.window();
                    for (int s = 0; s < SERIES; s++) {
                        int n = (int) (WINDOW / STEP);
                        long[] ts = new long[n];
                        double[] vs = new double[n];
                        for (int i = 0; i < n; i++) {
                            ts[i] = from + i * STEP;
                            vs[i] = value(s, ts[i]);
                        }
                        win.add("t", Labels.of("__name__", "c", "s", String.format("%02d", s)), ts, vs);
                    }
                    win.write();
                    synchronized (writtenUpTo) {
                        writtenUpTo[0] = from + WINDOW;
                    }
                    try {
                        fx.tsdb.tenant("t").compact();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            SeriesRequest req = SeriesRequest.newBuilder().setMinTime(Long.MIN_VALUE).setMaxTime(Long.MAX_VALUE)
                    .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__")
                            .setValue("c")).build();
            int queries = 0;
            int withBlocks = 0;
            while (queries < 400 && (!w.isDone() || queries < 5)) {
                long upTo;
                synchronized (writtenUpTo) {
                    upTo = writtenUpTo[0];
                }
                int blocksBefore = fx.tsdb.tenants().isEmpty() ? 0 : fx.tsdb.tenant("t").blocks().size();
                List<StoreFixture.Answer> got = StoreFixture.decode(fx.series(req));
                StoreFixture.assertStrictlySorted(got);
                queries++;
                if (upTo == T0) {
                    continue;
                }
                if (blocksBefore > 0) {
                    withBlocks++;
                }
                assertEquals(SERIES, got.size(), "every series present");
                for (StoreFixture.Answer a : got) {
                    int s = Integer.parseInt(a.labels().get("s"));
                    TreeMap<Long, Long> samples = a.samples();
                    for (long t = T0; t < upTo; t += STEP) {
                        Long bits = samples.get(t);
                        assertTrue(bits != null, "sample " + t + " of series " + s + " missing (written before "
                                + upTo + ")");
                        assertEquals(Double.doubleToRawLongBits(value(s, t)), bits.longValue());
                    }
                }
            }
            w.get(120, TimeUnit.SECONDS);
            writer.shutdown();
            TenantDb db = fx.tsdb.tenant("t");
            assertTrue(db.blocks().size() >= 4, "blocks cut while querying: " + db.blocks().size());
            assertTrue(withBlocks > 0, "some queries ran with blocks present");
            List<StoreFixture.Answer> fin = StoreFixture.decode(fx.series(req));
            assertEquals(SERIES, fin.size());
            for (StoreFixture.Answer a : fin) {
                assertEquals(WINDOWS * (WINDOW / STEP), a.samples().size(), "complete at the end");
            }
        }
    }
}
