package io.jreceive.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.jreceive.encoding.EncBuf;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.wal.WalConfig;
import io.jreceive.wal.WalWriter;

/**
 * {@link WalWriter#append} of one request's WAL record, waiting for its future (written and fsynced), from 1 and
 * from 4 threads at once: the 4-thread case shows what group commit buys, since one fsync then covers several
 * requests. The records are the real ones: samples records the head built for steady-state requests of
 * {@value RoundRequests#SAMPLES} samples (10k series, rounds 2 to 16: 75 different records of 2000 samples, no
 * series records). A fresh WAL directory under
 * {@code java.io.tmpdir} (the real disk, not tmpfs, on the reference machine) is used per iteration and deleted
 * after it. Score: appends/s ({@code ops}); the {@code samples} secondary result is samples/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WalAppendBenchmark {
    private static final int ROUNDS = 16;

    /** The WAL being written and the records to write. */
    @State(Scope.Benchmark)
    public static class Wal {
        @Param({"true", "false"})
        public boolean compress;

        EncBuf[] records;
        final EncBuf noSeries = new EncBuf(1);
        WalWriter writer;
        Path dir;

        @Setup(Level.Trial)
        public void records() {
            RoundRequests requests = RoundRequests.encode(10_000, 1);
            Head head = new Head(2 * 3600 * 1000L, 0);
            Head.AppendContext ctx = new Head.AppendContext();
            WriteBatch batch = new WriteBatch();
            RemoteWriteDecoder decoder = new RemoteWriteDecoder();
            List<EncBuf> out = new ArrayList<>();
            for (int r = 1; r <= ROUNDS; r++) {
                for (int j = 0; j < requests.requests(); j++) {
                    requests.toRound(j, r);
                    decoder.decode(requests.body[j], requests.len[j], batch, RemoteWriteLimits.DEFAULTS);
                    boolean keep = r > 1;
                    head.append(batch, ctx, (series, samples) -> {
                        if (keep) {
                            out.add(new EncBuf(samples.len()).putBytes(samples.array(), 0, samples.len()));
                        }
                        return CompletableFuture.completedFuture(null);
                    }).join();
                }
            }
            records = out.toArray(new EncBuf[0]);
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = Files.createTempDirectory("jreceive-wal-bench");
            writer = WalWriter.open(dir, WalConfig.defaults().withCompress(compress));
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            writer.close();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Per-thread position in the records and the samples it appended (reported as samples/s). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Progress {
        public long samples;
        int next;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
        }
    }

    @Benchmark
    @Threads(1)
    public void oneThread(Wal wal, Progress p) {
        append(wal, p);
    }

    @Benchmark
    @Threads(4)
    public void fourThreads(Wal wal, Progress p) {
        append(wal, p);
    }

    private static void append(Wal wal, Progress p) {
        EncBuf rec = wal.records[p.next];
        p.next = (p.next + 1) % wal.records.length;
        wal.writer.append(wal.noSeries, rec).join();
        p.samples += RoundRequests.SAMPLES;
    }
}
