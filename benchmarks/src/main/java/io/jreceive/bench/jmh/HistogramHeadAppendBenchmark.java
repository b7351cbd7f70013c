package io.jreceive.bench.jmh;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.jreceive.bench.RemoteWriteEncoder;
import io.jreceive.bench.SyntheticSeries;
import io.jreceive.encoding.EncBuf;
import io.jreceive.head.AppendStats;
import io.jreceive.head.Head;
import io.jreceive.head.WalSink;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;

/**
 * Decode plus {@link Head#append} of one {@value RoundRequests#SAMPLES}-histogram remote-write 1.0 request
 * (uncompressed), every sample an integer native histogram of {@code buckets} buckets as the side-by-side's
 * histogram load sends them ({@code LoadGen --histogram-buckets}), with a WAL sink that only returns a completed
 * future: the CPU and the allocation of decoding, validating, appending and WAL-encoding histograms. The head
 * holds {@code series} warm series, and each request carries the next sample of {@value RoundRequests#SAMPLES} of
 * them (encoded before each invocation, outside the measurement). Score: histograms/s (one op = one histogram);
 * run with {@code -prof gc} for the bytes allocated per histogram.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class HistogramHeadAppendBenchmark {
    private static final long CHUNK_RANGE = 2 * 3600 * 1000L;
    /** Rounds appended before measuring, so every series exists and has an open chunk. */
    private static final int WARM_ROUNDS = 3;

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** Stands in for the WAL: the records (histogram records included) are built by the head, then dropped. */
    private static final WalSink NO_WAL = new WalSink() {
        @Override
        public CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord) {
            return DONE;
        }

        @Override
        public CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord, EncBuf[] histogramRecords) {
            return DONE;
        }
    };

    /** A warm head and the next request of the round-major stream. */
    @State(Scope.Thread)
    public static class Steady {
        @Param({"10000"})
        public int series;

        @Param({"20"})
        public int buckets;

        final RemoteWriteDecoder decoder = new RemoteWriteDecoder();
        final WriteBatch batch = new WriteBatch();
        final Head.AppendContext ctx = new Head.AppendContext();
        Head head;
        RemoteWriteEncoder.Session session;
        int[] all;
        int requests;
        int request;
        int round;
        EncBuf body;

        @Setup(Level.Trial)
        public void setUp() {
            if (series % RoundRequests.SAMPLES != 0) {
                throw new IllegalArgumentException("series must be a multiple of " + RoundRequests.SAMPLES);
            }
            SyntheticSeries data = new SyntheticSeries(series, Integer.MAX_VALUE, RoundRequests.LABELS, 0, 1,
                    RoundRequests.START_MS, RoundRequests.INTERVAL_MS).withHistogramBuckets(buckets);
            session = new RemoteWriteEncoder(data, 1).session();
            all = IntStream.range(0, series).toArray();
            requests = series / RoundRequests.SAMPLES;
            head = new Head(CHUNK_RANGE, 0);
            for (round = 0; round < WARM_ROUNDS; round++) {
                for (request = 0; request < requests; request++) {
                    encode();
                    decodeAndAppend().join();
                    check(round == 0);
                }
            }
            request = -1;
        }

        private void encode() {
            int from = round * series + request * RoundRequests.SAMPLES;
            body = session.encodeRaw(new io.jreceive.bench.WriteBatch(0, null, all, from,
                    from + RoundRequests.SAMPLES, null));
        }

        CompletableFuture<Void> decodeAndAppend() {
            decoder.decode(body.array(), body.len(), batch, RemoteWriteLimits.DEFAULTS);
            return head.append(batch, ctx, NO_WAL);
        }

        /** Fails the run if the last request was not stored whole. */
        void check(boolean created) {
            AppendStats st = ctx.stats;
            if (st.histogramsAppended != RoundRequests.SAMPLES
                    || (st.seriesCreated == RoundRequests.SAMPLES) != created) {
                throw new IllegalStateException("request appended " + st.histogramsAppended
                        + " histograms and created " + st.seriesCreated + " series; conflicts: "
                        + st.conflictMessage());
            }
        }

        /** Encodes the next request: the next sample of its series. */
        @Setup(Level.Invocation)
        public void next() {
            if (request >= 0) {
                check(false);
            }
            if (++request == requests) {
                request = 0;
                round++;
            }
            encode();
        }
    }

    @Benchmark
    @OperationsPerInvocation(RoundRequests.SAMPLES)
    public CompletableFuture<Void> steadyState(Steady s) {
        return s.decodeAndAppend();
    }
}
