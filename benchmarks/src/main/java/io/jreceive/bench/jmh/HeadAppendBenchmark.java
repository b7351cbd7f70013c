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
import io.jreceive.ingest.RemoteWrite2Decoder;
import io.jreceive.ingest.RemoteWriteLimits;

/**
 * Decode plus {@link Head#append} of one {@value RoundRequests#SAMPLES}-sample request (uncompressed body), with a
 * WAL sink that only returns a completed future, so the number is the CPU cost of decoding and of the head.
 *
 * <ul>
 *   <li>{@code steadyState}: a warm head holding {@code series} series; each request carries the next sample of
 *       {@value RoundRequests#SAMPLES} of them (requests are rewritten in place to the next round before each
 *       invocation, outside the measurement), so every sample is a new, in-order sample of an existing series.
 *       This is the path a receiver spends its life on; its allocation should be that of the chunks only.</li>
 *   <li>{@code seriesCreation}: every request brings {@value RoundRequests#SAMPLES} series the head has never seen
 *       (labels interned, postings indexed, series record written). A fresh head is started every iteration and
 *       whenever the pool of {@value #CREATION_POOL} distinct series is used up.</li>
 * </ul>
 * Score: samples/s (one op = one sample). The aim is above 1 M samples/s on one core for {@code steadyState}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class HeadAppendBenchmark {
    private static final long CHUNK_RANGE = 2 * 3600 * 1000L;
    /** Distinct series for {@code seriesCreation}: 250 requests. */
    static final int CREATION_POOL = 500_000;
    /** Rounds appended before measuring, so every series exists and has an open chunk. */
    private static final int WARM_ROUNDS = 3;

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** Stands in for the WAL: the records are built by the head, then dropped. */
    private static final WalSink NO_WAL = (series, samples) -> DONE;

    /** Decoder of either protocol over one reused batch. */
    @State(Scope.Thread)
    public abstract static class Decoding {
        @Param({"1", "2"})
        public int protocol;

        final RemoteWriteDecoder v1 = new RemoteWriteDecoder();
        final RemoteWrite2Decoder v2 = new RemoteWrite2Decoder();
        final WriteBatch batch = new WriteBatch();
        final Head.AppendContext ctx = new Head.AppendContext();
        Head head;

        CompletableFuture<Void> decodeAndAppend(byte[] body, int len) {
            if (protocol == 1) {
                v1.decode(body, len, batch, RemoteWriteLimits.DEFAULTS);
            } else {
                v2.decode(body, len, batch, RemoteWriteLimits.DEFAULTS);
            }
            return head.append(batch, ctx, NO_WAL);
        }

        /** Fails the run if the last request was not taken whole in the way this benchmark means to measure. */
        void check(boolean created) {
            AppendStats st = ctx.stats;
            if (st.appended != RoundRequests.SAMPLES || (st.seriesCreated == RoundRequests.SAMPLES) != created) {
                throw new IllegalStateException("request appended " + st.appended + " samples and created "
                        + st.seriesCreated + " series; conflicts: " + st.conflictMessage());
            }
        }
    }

    /** A warm head and one round of requests that is advanced round by round. */
    @State(Scope.Thread)
    public static class Steady extends Decoding {
        @Param({"10000", "100000"})
        public int series;

        RoundRequests requests;
        int request;
        int round;

        @Setup(Level.Trial)
        public void setUp() {
            requests = RoundRequests.encode(series, protocol);
            head = new Head(CHUNK_RANGE, 0);
            for (round = 1; round <= WARM_ROUNDS; round++) {
                for (int j = 0; j < requests.requests(); j++) {
                    requests.toRound(j, round);
                    decodeAndAppend(requests.body[j], requests.len[j]).join();
                    check(round == 1);
                }
            }
            request = -1;
        }

        /** Moves to the next request, rewritten to carry the next sample of its series. */
        @Setup(Level.Invocation)
        public void next() {
            if (request >= 0) {
                check(false);
            }
            if (++request == requests.requests()) {
                request = 0;
                round++;
            }
            requests.toRound(request, round);
        }
    }

    /** A pool of never-seen series, encoded one request ahead of each invocation. */
    @State(Scope.Thread)
    public static class Creation extends Decoding {
        RemoteWriteEncoder.Session session;
        io.jreceive.bench.WriteBatch[] plan;
        int request;
        EncBuf body;

        @Setup(Level.Trial)
        public void setUp() {
            SyntheticSeries data = new SyntheticSeries(CREATION_POOL, Integer.MAX_VALUE, RoundRequests.LABELS, 0, 1,
                    RoundRequests.START_MS, RoundRequests.INTERVAL_MS);
            session = new RemoteWriteEncoder(data, protocol).session();
            int[] all = IntStream.range(0, CREATION_POOL).toArray();
            plan = new io.jreceive.bench.WriteBatch[CREATION_POOL / RoundRequests.SAMPLES];
            for (int j = 0; j < plan.length; j++) {
                int from = CREATION_POOL + j * RoundRequests.SAMPLES;
                plan[j] = new io.jreceive.bench.WriteBatch(0, null, all, from, from + RoundRequests.SAMPLES, null);
            }
        }

        @Setup(Level.Iteration)
        public void freshHead() {
            head = new Head(CHUNK_RANGE, 0);
            request = -1;
        }

        @Setup(Level.Invocation)
        public void next() {
            if (request >= 0) {
                check(true);
            }
            if (++request == plan.length) {
                freshHead();
                request = 0;
            }
            body = session.encodeRaw(plan[request]);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RoundRequests.SAMPLES)
    public CompletableFuture<Void> steadyState(Steady s) {
        return s.decodeAndAppend(s.requests.body[s.request], s.requests.len[s.request]);
    }

    @Benchmark
    @OperationsPerInvocation(RoundRequests.SAMPLES)
    public CompletableFuture<Void> seriesCreation(Creation c) {
        return c.decodeAndAppend(c.body.array(), c.body.len());
    }
}
