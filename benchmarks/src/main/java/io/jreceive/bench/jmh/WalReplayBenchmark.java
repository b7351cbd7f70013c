package io.jreceive.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.tsdb.TenantDb;
import io.jreceive.tsdb.TsdbConfig;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalVisitor;

/**
 * The WAL replay of a restart after a crash ({@code benchmarks/restart.sh}'s case): a tenant directory whose WAL
 * holds {@code series} series x {@code rounds} samples, written by {@link TenantDb#write} from requests of
 * {@value RoundRequests#SAMPLES} samples (one round of every series after the other, as the load generator sends
 * them; snappy-compressed as by default) and never flushed, is opened again.
 *
 * <ul>
 *   <li>{@code open}: {@link TenantDb#open} on a fresh copy of the directory (copied outside the measurement):
 *       the whole replay, series records, samples into the head, then the WAL writer started.</li>
 *   <li>{@code read}: {@link WalReader#read} with a visitor that only sums what it is given: reading segments,
 *       CRC, snappy and record decoding, without the head.</li>
 * </ul>
 * Score: seconds per replay (single shot, one replay per iteration); divide by {@code series * rounds} for the cost
 * of a sample.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class WalReplayBenchmark {
    private static final String TENANT = "t";

    /** The written tenant directory, and a fresh copy of it per replay. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"100000"})
        public int series;

        @Param({"120"})
        public int rounds;

        Path root;
        Path pristine;

        @Setup(Level.Trial)
        public void write() throws IOException {
            root = Files.createTempDirectory("wal-replay-bench");
            pristine = root.resolve("pristine");
            TsdbConfig config = config(pristine);
            RoundRequests requests = RoundRequests.encode(series, 1);
            RemoteWriteDecoder decoder = new RemoteWriteDecoder();
            WriteBatch batch = new WriteBatch();
            Head.AppendContext ctx = new Head.AppendContext();
            try (TenantDb db = TenantDb.open(TENANT, config)) {
                for (int r = 1; r <= rounds; r++) {
                    List<CompletableFuture<Void>> durable = new ArrayList<>();
                    for (int j = 0; j < requests.requests(); j++) {
                        requests.toRound(j, r);
                        decoder.decode(requests.body[j], requests.len[j], batch, RemoteWriteLimits.DEFAULTS);
                        durable.add(db.write(batch, ctx));
                        if (ctx.stats.appended != RoundRequests.SAMPLES) {
                            throw new IllegalStateException("round " + r + ": appended " + ctx.stats.appended);
                        }
                    }
                    CompletableFuture.allOf(durable.toArray(new CompletableFuture[0])).join();
                }
            }
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            deleteRecursively(root);
        }
    }

    /** A fresh copy of the written directory per replay, and the tenant opened on it. */
    @State(Scope.Benchmark)
    public static class Copy {
        Path dir;
        TenantDb opened;

        @Setup(Level.Invocation)
        public void copy(Data d) throws IOException {
            dir = d.root.resolve("copy");
            deleteRecursively(dir);
            copyRecursively(d.pristine, dir);
        }

        @TearDown(Level.Invocation)
        public void close(Data d) throws IOException {
            int n = opened.head().numSeries();
            long newest = opened.head().maxTime();
            opened.close();
            opened = null;
            long expected = RoundRequests.START_MS + d.rounds * RoundRequests.INTERVAL_MS;
            if (n != d.series || newest != expected) {
                throw new IllegalStateException("replayed " + n + " series up to " + newest + ", expected "
                        + d.series + " up to " + expected);
            }
        }
    }

    static TsdbConfig config(Path dir) {
        return new TsdbConfig(dir, TsdbConfig.DEFAULT_BLOCK_DURATION, 0, true, 0, Map.of(), "tenant_id")
                .withLockfile(false);
    }

    @Benchmark
    public TenantDb open(Copy c) throws IOException {
        c.opened = TenantDb.open(TENANT, config(c.dir));
        return c.opened;
    }

    @Benchmark
    public long read(Data d) throws IOException {
        long[] sum = {0};
        WalReader.read(d.pristine.resolve(TENANT).resolve("wal"), new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                sum[0] += ref;
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                sum[0] += ref ^ t ^ valueBits;
            }
        });
        return sum[0];
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
