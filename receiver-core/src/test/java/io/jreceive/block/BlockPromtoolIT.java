package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.TestSeries;

/**
 * Blocks written by {@link BlockWriter} as the real promtool sees them: {@code tsdb list} must report meta.json's
 * numbers, {@code tsdb analyze --extended} (which reads every chunk and checks its CRC) must succeed, and
 * {@code tsdb dump} must print exactly the samples that went in, in order, stale markers included.
 */
class BlockPromtoolIT {
    private static final long RANGE = 7_200_000L;
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % RANGE;
    private static final long STALE_NAN = 0x7ff0000000000002L;
    private static final long STEP = 15_000L;

    @TempDir
    Path data;

    /** Deterministic series for the block {@code [start, start + RANGE)}: 4 chunks of 120 samples each, a stale run. */
    private static List<TestSeries> dataSet(long start) {
        List<Labels> sets = new ArrayList<>();
        for (String job : new String[] {"api", "db", "caf\u00e9"}) {
            for (int inst = 0; inst < 3; inst++) {
                sets.add(Labels.of("__name__", "http_requests_total", "job", job, "instance", "10.0.0." + inst
                        + ":9100"));
            }
            sets.add(Labels.of("__name__", "up", "job", job));
        }
        sets.add(Labels.of("__name__", "temperature_celsius", "room", "lab", "le", "+Inf"));
        sets.sort(null);
        List<TestSeries> out = new ArrayList<>();
        int n = (int) (RANGE / STEP);
        for (int s = 0; s < sets.size(); s++) {
            long[] ts = new long[n];
            long[] vs = new long[n];
            double counter = 0;
            for (int i = 0; i < n; i++) {
                ts[i] = start + i * STEP + s * 7; // distinct offsets per series, all inside the block
                counter += (i * 31 + s * 17) % 13 + 0.25;
                if (s % 3 == 0 && i >= 200 && i < 210) {
                    vs[i] = STALE_NAN; // the series went away for a while
                } else if (sets.get(s).get("__name__").equals("up")) {
                    vs[i] = Double.doubleToRawLongBits(i % 50 == 0 ? 0 : 1);
                } else if (sets.get(s).get("__name__").equals("temperature_celsius")) {
                    vs[i] = Double.doubleToRawLongBits(20 + Math.sin(i / 10.0) * 3.3);
                } else {
                    vs[i] = Double.doubleToRawLongBits(counter * 1e3);
                }
            }
            out.add(TestSeries.of(sets.get(s), ts, vs, 120));
        }
        return out;
    }

    @Test
    void promtoolListsAnalyzesAndDumpsOurBlocks() throws IOException, InterruptedException {
        Promtool promtool = Promtool.require();
        List<TestSeries> first = dataSet(START);
        List<TestSeries> second = dataSet(START + RANGE);
        BlockMeta m1 = BlockWriter.write(data, START, START + RANGE, first, Map.of("tenant_id", "it"));
        BlockMeta m2 = BlockWriter.write(data, START + RANGE, START + 2 * RANGE, second, Map.of("tenant_id", "it"));
        assertEquals(4, first.get(0).numChunks());

        Promtool.Result list = promtool.list(data);
        assertTrue(list.ok(), list.toString());
        for (BlockMeta m : List.of(m1, m2)) {
            String row = list.stdout().lines().filter(l -> l.startsWith(m.ulid())).findFirst()
                    .orElseThrow(() -> new AssertionError("block " + m.ulid() + " not listed:\n" + list));
            String[] f = row.trim().split("\\s+");
            // BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
            assertEquals(String.valueOf(m.minTime()), f[1], row);
            assertEquals(String.valueOf(m.maxTime()), f[2], row);
            assertEquals(String.valueOf(m.stats().numSamples()), f[4], row);
            assertEquals(String.valueOf(m.stats().numChunks()), f[5], row);
            assertEquals(String.valueOf(m.stats().numSeries()), f[6], row);

            Promtool.Result analyze = promtool.analyzeExtended(data, m.ulid());
            assertTrue(analyze.ok(), analyze.toString());
            assertTrue(analyze.stdout().contains("Block ID: " + m.ulid()), analyze.toString());
            List<String> lines = analyze.stdout().lines().toList();
            // 2.42 prints "Series: N", newer releases "Total Series: N"
            assertTrue(lines.contains("Series: " + m.stats().numSeries())
                    || lines.contains("Total Series: " + m.stats().numSeries()), analyze.toString());
            assertTrue(lines.contains("Postings (unique label pairs): " + uniquePairs(first)), analyze.toString());
            assertTrue(lines.contains("Postings entries (total label pairs): " + totalPairs(first)),
                    analyze.toString());
        }
        assertEquals(first.size(), m1.stats().numSeries());
        long samples = first.stream().mapToLong(TestSeries::numSamples).sum();
        assertEquals(samples, m1.stats().numSamples());

        Promtool.Result dump = promtool.dump(data);
        assertTrue(dump.ok(), dump.toString());
        List<Promtool.DumpLine> got = Promtool.parseDump(dump.stdout());
        List<String[]> want = expectedLines(first, second);
        assertEquals(m1.stats().numSamples() + m2.stats().numSamples(), got.size(), "dumped sample count");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            String[] w = want.get(i);
            Promtool.DumpLine g = got.get(i);
            String where = "dump line " + i + ": " + g;
            assertEquals(w[0], g.labels(), where);
            assertEquals(Long.parseLong(w[2]), g.timestamp(), where);
            double v = Double.longBitsToDouble(Long.parseLong(w[1]));
            if (Double.isNaN(v)) {
                assertTrue(Double.isNaN(g.value()), where);
            } else {
                assertEquals(v, g.value(), where);
            }
        }
    }

    private static long uniquePairs(List<TestSeries> series) {
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (TestSeries s : series) {
            for (int i = 0; i < s.labels().size(); i++) {
                pairs.add(s.labels().nameString(i) + "=" + s.labels().valueString(i));
            }
        }
        return pairs.size();
    }

    private static long totalPairs(List<TestSeries> series) {
        return series.stream().mapToLong(s -> s.labels().size()).sum();
    }

    /** {labels, value bits, timestamp} in dump order: series by labels, then time across both blocks. */
    private static List<String[]> expectedLines(List<TestSeries> first, List<TestSeries> second) {
        TreeMap<Labels, List<TestSeries>> bySeries = new TreeMap<>();
        for (TestSeries s : first) {
            bySeries.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(s);
        }
        for (TestSeries s : second) {
            bySeries.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(s);
        }
        List<String[]> out = new ArrayList<>();
        for (Map.Entry<Labels, List<TestSeries>> e : bySeries.entrySet()) {
            for (TestSeries s : e.getValue()) {
                long[] ts = s.timestamps();
                long[] vs = s.valueBits();
                for (int i = 0; i < ts.length; i++) {
                    out.add(new String[] {e.getKey().toString(), Long.toString(vs[i]), Long.toString(ts[i])});
                }
            }
        }
        return out;
    }
}
