package io.jreceive.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.jreceive.bench.SyntheticSeries;
import io.jreceive.block.BlockMeta;
import io.jreceive.block.BlockWriter;
import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorChunk;
import io.jreceive.labels.Labels;

/**
 * {@link BlockWriter#write} of one 2h block: {@value #SERIES} series (the load generator's label sets) of 4 XOR
 * chunks of 120 samples each (15 s scrapes; 60% counters, 30% gauges, 10% constants), into a directory under
 * {@code java.io.tmpdir} on the real disk, fsyncs included. The block is deleted after each invocation, outside
 * the measurement. Score: blocks/s ({@code ops}); secondary results {@code series} (series/s) and {@code bytes}
 * (bytes/s of the written index and chunk files, from the sizes the meta records).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BlockWriteBenchmark {
    static final int SERIES = 10_000;
    private static final int CHUNKS = 4;
    private static final int CHUNK_SAMPLES = 120;
    private static final long BLOCK_RANGE = 2 * 3600 * 1000L;

    private final List<ChunkSeries> series = new ArrayList<>();
    private final Map<String, String> externalLabels = Map.of("replica", "0", "tenant_id", "default-tenant");
    private Path parent;
    private BlockMeta written;

    /** One series' chunks as the head hands them to the block writer. */
    private record Series(Labels labels, long[] mint, long[] maxt, byte[][] data) implements ChunkSeries {
        @Override
        public int numChunks() {
            return data.length;
        }

        @Override
        public long minTime(int i) {
            return mint[i];
        }

        @Override
        public long maxTime(int i) {
            return maxt[i];
        }

        @Override
        public byte[] data(int i) {
            return data[i];
        }

        @Override
        public byte encoding(int i) {
            return XorChunk.ENCODING;
        }
    }

    /** Per-thread counts of series and bytes written, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Written {
        public long series;
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            series = 0;
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SyntheticSeries data = new SyntheticSeries(SERIES, CHUNKS * CHUNK_SAMPLES, RoundRequests.LABELS, 0, 1,
                RoundRequests.START_MS, ChunkSamples.INTERVAL_MS);
        for (int i = 0; i < SERIES; i++) {
            int kind = i % 10;
            String shape = kind < 6 ? "counter" : kind < 9 ? "gauge" : "constant";
            ChunkSamples s = ChunkSamples.generate(shape, CHUNKS * CHUNK_SAMPLES, RoundRequests.START_MS, i);
            long[] mint = new long[CHUNKS];
            long[] maxt = new long[CHUNKS];
            byte[][] chunks = new byte[CHUNKS][];
            for (int c = 0; c < CHUNKS; c++) {
                int from = c * CHUNK_SAMPLES;
                mint[c] = s.t[from];
                maxt[c] = s.t[from + CHUNK_SAMPLES - 1];
                chunks[c] = s.chunk(from, CHUNK_SAMPLES);
            }
            series.add(new Series(data.labels(i), mint, maxt, chunks));
        }
        series.sort(Comparator.comparing(ChunkSeries::labels));
        parent = Files.createTempDirectory("jreceive-block-bench");
    }

    @Benchmark
    public BlockMeta write(Written w) throws IOException {
        BlockMeta meta = BlockWriter.write(parent, RoundRequests.START_MS, RoundRequests.START_MS + BLOCK_RANGE,
                series, externalLabels);
        w.series += meta.stats().numSeries();
        for (BlockMeta.FileEntry f : meta.thanos().files()) {
            w.bytes += f.sizeBytes();
        }
        written = meta;
        return meta;
    }

    @TearDown(Level.Invocation)
    public void delete() throws IOException {
        if (written != null) {
            deleteRecursively(parent.resolve(written.ulid()));
            written = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        deleteRecursively(parent);
    }

    private static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
