package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorIterator;
import io.jreceive.labels.Labels;
import io.jreceive.testing.TestSeries;

class BlockRoundTripTest {
    private static final long MIN = 1_700_000_000_000L - 1_700_000_000_000L % 7_200_000L;
    private static final long MAX = MIN + 7_200_000L;

    @TempDir
    Path tmp;

    /** A few hundred random series, unique label sets, in label order. */
    static List<TestSeries> randomSeries(long seed, int count) {
        Random r = new Random(seed);
        String[] names = {"__name__", "job", "instance", "le", "path", "\u00fc", "\uFFFD", "\uD83D\uDE00"};
        String[] values = {"a", "b", "up", "node", "0.5", "+Inf", "/x", "\u00e9t\u00e9", "\uFFFD", "\uD83D\uDE00",
                "10.0.0.1:9100", "zz"};
        TreeMap<Labels, Boolean> sets = new TreeMap<>();
        while (sets.size() < count) {
            Labels.Builder b = new Labels.Builder().set("__name__", "metric_" + r.nextInt(12));
            for (int i = 0, n = r.nextInt(4); i < n; i++) {
                b.set(names[1 + r.nextInt(names.length - 1)], values[r.nextInt(values.length)] + r.nextInt(3));
            }
            sets.put(b.build(), true);
        }
        List<TestSeries> out = new ArrayList<>();
        for (Labels l : sets.keySet()) {
            int n = 1 + r.nextInt(400);
            long[] ts = new long[n];
            long[] vs = new long[n];
            long t = MIN + r.nextInt(10000);
            for (int i = 0; i < n; i++) {
                ts[i] = t;
                t += 1 + r.nextInt(30000);
                vs[i] = switch (r.nextInt(4)) {
                    case 0 -> 0x7ff0000000000002L;
                    case 1 -> Double.doubleToRawLongBits(r.nextInt(100));
                    case 2 -> i > 0 ? vs[i - 1] : 0;
                    default -> Double.doubleToRawLongBits(r.nextGaussian() * 1e6);
                };
            }
            out.add(TestSeries.of(l, ts, vs, 1 + r.nextInt(150)));
        }
        return out;
    }

    /** Counts how often it was iterated. */
    private static final class CountingIterable implements Iterable<ChunkSeries> {
        final List<? extends ChunkSeries> list;
        int iterations;

        CountingIterable(List<? extends ChunkSeries> list) {
            this.list = list;
        }

        @Override
        public Iterator<ChunkSeries> iterator() {
            iterations++;
            return new ArrayList<ChunkSeries>(list).iterator();
        }
    }

    @Test
    void roundTripsRandomSeriesAcrossSeveralChunkFiles() throws IOException {
        List<TestSeries> series = randomSeries(11, 300);
        List<ChunkSeries> input = new ArrayList<>(series);
        Labels empty = Labels.of("__name__", "zzzz_no_chunks");
        input.add(new ChunkSeries() { // sorts last; must be skipped, its labels never indexed
            @Override
            public Labels labels() {
                return empty;
            }

            @Override
            public int numChunks() {
                return 0;
            }

            @Override
            public long minTime(int i) {
                throw new IndexOutOfBoundsException();
            }

            @Override
            public long maxTime(int i) {
                throw new IndexOutOfBoundsException();
            }

            @Override
            public byte[] data(int i) {
                throw new IndexOutOfBoundsException();
            }

            @Override
            public byte encoding(int i) {
                throw new IndexOutOfBoundsException();
            }
        });
        CountingIterable it = new CountingIterable(input);
        BlockMeta meta = BlockWriter.write(tmp, MIN, MAX, it, Map.of("tenant_id", "t1", "replica", "0"), 16 * 1024);
        assertTrue(it.iterations <= 2, "iterated " + it.iterations + " times");

        long samples = series.stream().mapToLong(TestSeries::numSamples).sum();
        long chunks = series.stream().mapToLong(TestSeries::numChunks).sum();
        assertEquals(new BlockMeta.Stats(samples, samples, 0, series.size(), chunks, 0), meta.stats());
        Path dir = tmp.resolve(meta.ulid());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(dir), s.toList(), "only the final block dir remains");
        }
        List<String> segs = meta.thanos().segmentFiles();
        assertTrue(segs.size() > 2, "expected several chunk files: " + segs);
        for (BlockMeta.FileEntry f : meta.thanos().files()) {
            if (!f.relPath().equals("meta.json")) {
                assertEquals(Files.size(dir.resolve(f.relPath())), f.sizeBytes(), f.relPath());
            }
        }
        assertEquals(meta, BlockMeta.read(dir));

        try (BlockReader r = BlockReader.open(dir)) {
            assertEquals(meta, r.meta());
            int[] all = r.allPostings();
            assertEquals(series.size(), all.length);
            Map<String, List<Labels>> expectedPostings = new TreeMap<>();
            for (int i = 0; i < all.length; i++) {
                TestSeries want = series.get(i);
                assertEquals(want.labels(), r.labels(all[i]));
                ChunkSeries got = r.series(all[i], Long.MIN_VALUE, Long.MAX_VALUE);
                assertEquals(want.numChunks(), got.numChunks());
                XorIterator xi = new XorIterator();
                int k = 0;
                long[] ts = want.timestamps();
                long[] vs = want.valueBits();
                for (int c = 0; c < got.numChunks(); c++) {
                    assertEquals(want.minTime(c), got.minTime(c));
                    assertEquals(want.maxTime(c), got.maxTime(c));
                    assertArrayEquals(want.data(c), got.data(c));
                    xi.reset(got.data(c), 0, got.data(c).length);
                    while (xi.next()) {
                        assertEquals(ts[k], xi.timestamp());
                        assertEquals(vs[k], xi.valueBits());
                        k++;
                    }
                }
                assertEquals(ts.length, k);
                for (int p = 0; p < want.labels().size(); p++) {
                    expectedPostings.computeIfAbsent(want.labels().nameString(p) + "\u0000"
                            + want.labels().valueString(p), x -> new ArrayList<>()).add(want.labels());
                }
                // a window inside the series keeps only overlapping chunks
                long mid = ts[ts.length / 2];
                ChunkSeries window = r.series(all[i], mid, mid);
                assertEquals(1, window.numChunks());
                assertTrue(window.minTime(0) <= mid && window.maxTime(0) >= mid);
                assertNull(r.series(all[i], ts[ts.length - 1] + 1, Long.MAX_VALUE));
            }
            int pairs = 0;
            for (byte[] name : r.labelNames()) {
                List<byte[]> vals = r.labelValues(name);
                for (int v = 0; v < vals.size(); v++) {
                    if (v > 0) {
                        assertTrue(Arrays.compareUnsigned(vals.get(v - 1), vals.get(v)) < 0);
                    }
                    String key = new String(name, StandardCharsets.UTF_8) + "\u0000"
                            + new String(vals.get(v), StandardCharsets.UTF_8);
                    List<Labels> want = expectedPostings.get(key);
                    assertNotNull(want, key);
                    int[] ids = r.postings(name, vals.get(v));
                    List<Labels> got = new ArrayList<>();
                    for (int id : ids) {
                        got.add(r.labels(id));
                    }
                    assertEquals(want, got, key);
                    pairs++;
                }
            }
            assertEquals(expectedPostings.size(), pairs);
            assertEquals(0, r.postings("__name__".getBytes(StandardCharsets.UTF_8),
                    "zzzz_no_chunks".getBytes(StandardCharsets.UTF_8)).length);
            assertEquals(0, r.labelValues("nope".getBytes(StandardCharsets.UTF_8)).size());
        }
    }

    @Test
    void returnsNullForNoChunksAndLeavesNothingBehindOnBadInput() throws IOException {
        assertNull(BlockWriter.write(tmp, MIN, MAX, List.of(), Map.of("a", "b")));
        List<TestSeries> series = randomSeries(3, 20);
        List<TestSeries> reversed = new ArrayList<>(series);
        java.util.Collections.reverse(reversed);
        assertThrows(IllegalArgumentException.class, () -> BlockWriter.write(tmp, MIN, MAX, reversed,
                Map.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> BlockWriter.write(tmp, MIN + 20000, MAX, series,
                Map.of("a", "b")), "chunk before block start");
        try (Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.findAny().isPresent(), "failed writes must clean up their temporary directory");
        }
    }

    @Test
    void writesMetaJsonShapedLikeThanosReceive() throws IOException {
        List<TestSeries> series = randomSeries(5, 10);
        BlockMeta meta = BlockWriter.write(tmp, MIN, MAX, series, Map.of("tenant_id", "t1"));
        String json = Files.readString(tmp.resolve(meta.ulid()).resolve("meta.json"));
        assertTrue(json.startsWith("{\n\t\"ulid\": \"" + meta.ulid() + "\",\n\t\"minTime\": " + MIN + ",\n"), json);
        assertTrue(json.contains("\n\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"sources\": [\n\t\t\t\""
                + meta.ulid() + "\"\n\t\t]\n\t},\n\t\"version\": 1,\n\t\"thanos\": {\n\t\t\"labels\": {\n"
                + "\t\t\t\"tenant_id\": \"t1\"\n\t\t},\n\t\t\"downsample\": {\n\t\t\t\"resolution\": 0\n\t\t},\n"
                + "\t\t\"source\": \"receive\",\n\t\t\"segment_files\": [\n\t\t\t\"000001\"\n\t\t],\n"), json);
        assertTrue(json.contains("\"files\": [\n\t\t\t{\n\t\t\t\t\"rel_path\": \"chunks/000001\",\n\t\t\t\t"
                + "\"size_bytes\": " + Files.size(tmp.resolve(meta.ulid()).resolve("chunks/000001"))), json);
        assertTrue(json.contains("{\n\t\t\t\t\"rel_path\": \"meta.json\"\n\t\t\t}\n\t\t],\n\t\t\"index_stats\": {}\n"
                + "\t}\n}"), json);
        assertFalse(json.contains("numHistogramSamples"), "zero stats are omitted");
        assertFalse(json.contains("numTombstones"), "zero stats are omitted");
        assertEquals(List.of("chunks/000001", "index", "meta.json"),
                meta.thanos().files().stream().map(BlockMeta.FileEntry::relPath).toList());
        assertArrayEquals(new byte[] {0x01, 0x30, (byte) 0xBA, 0x30, 0x01, 0, 0, 0, 0},
                Files.readAllBytes(tmp.resolve(meta.ulid()).resolve("tombstones")));
        assertTrue(Ulid.isValid(meta.ulid()));
        long age = System.currentTimeMillis() - Ulid.parse(meta.ulid()).time();
        assertTrue(age >= 0 && age < 60_000, "ULID carries the creation time");
    }
}
