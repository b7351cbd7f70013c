package io.jreceive.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;


import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.bench.RemoteWriteEncoder;
import io.jreceive.bench.SyntheticSeries;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.encoding.EncBuf;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.proto.thanos.AggrChunk;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.PartialResponseStrategy;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.query.Matcher;
import io.jreceive.query.SeriesSelector;
import io.jreceive.store.StoreConfig;
import io.jreceive.store.StoreServer;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TenantDb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Reading every series of one tenant back, from the head or from blocks: {@value #SERIES} series of the load
 * generator's label sets, written through the real path (remote-write bodies decoded by {@link RemoteWriteDecoder}
 * and appended with {@link TenantDb#write}, WAL included) into a tenant in a temporary directory.
 *
 * <ul>
 *   <li>{@code source=head}: {@value #HEAD_ROUNDS} samples per series at 15 s, all inside one 2h range; nothing is
 *       flushed, so every chunk comes from the head (copied out under the series lock).</li>
 *   <li>{@code source=blocks}: {@value #BLOCK_ROUNDS} samples per series (3h), then {@link TenantDb#flush}, which
 *       cuts an aligned 2h block and a 1h remainder; the head is empty and every series is merged from the two
 *       memory-mapped blocks.</li>
 * </ul>
 * Benchmarks, each selecting {@code __name__=~"loadgen_metric_.*"} over the whole written time range:
 * <ul>
 *   <li>{@code select}: a {@link SeriesSelector} on the tenant, every chunk's length summed into a blackhole.</li>
 *   <li>{@code grpcSeries}: a StoreAPI {@code Series} call to a {@link StoreServer} on 127.0.0.1 with a blocking
 *       grpc-netty client (plaintext, no compression); the client parses every frame and sums the raw chunk
 *       lengths. Includes what {@code select} does plus external labels, frame encoding, HTTP/2 and parsing.</li>
 * </ul>
 * Score: series/s (one op = one series; an invocation reads all {@value #SERIES} and fails the run if it sees
 * another count); secondary results {@code chunkBytes} (bytes/s of XOR chunk data) and {@code chunks} (chunks/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreSeriesBenchmark {
    static final int SERIES = 10_000;
    /** Samples per series kept in the head: 2h minus one scrape, so all of them are in one block range. */
    static final int HEAD_ROUNDS = 480;
    /** Samples per series flushed to blocks: 3h, so the flush cuts two blocks. */
    static final int BLOCK_ROUNDS = 720;
    private static final String TENANT = "bench";
    private static final long BLOCK_RANGE = 2 * 3600 * 1000L;

    /** The tenant, written and (for {@code blocks}) flushed once per trial. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"head", "blocks"})
        public String source;

        Path dir;
        MultiTsdb tsdb;
        TenantDb db;
        SyntheticSeries data;
        List<Matcher> matchers;
        long mint;
        long maxt;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            boolean blocks = switch (source) {
                case "head" -> false;
                case "blocks" -> true;
                default -> throw new IllegalArgumentException("source is head or blocks: " + source);
            };
            int rounds = blocks ? BLOCK_ROUNDS : HEAD_ROUNDS;
            data = new SyntheticSeries(SERIES, rounds, RoundRequests.LABELS, 0, 1, RoundRequests.START_MS,
                    RoundRequests.INTERVAL_MS);
            dir = Files.createTempDirectory("jreceive-series-bench");
            tsdb = new MultiTsdb(new TsdbConfig(dir, BLOCK_RANGE, 0, true, 0, Map.of("replica", "0"), "tenant_id"),
                    new SimpleMeterRegistry());
            tsdb.open();
            db = tsdb.tenant(TENANT);
            fill(rounds);
            if (blocks) {
                db.flush();
            }
            int inBlocks = db.blocks().size();
            if (blocks ? inBlocks != 2 || db.head().minTime() != Long.MAX_VALUE : inBlocks != 0) {
                throw new IllegalStateException(source + ": " + inBlocks + " blocks, head min time "
                        + db.head().minTime());
            }
            matchers = List.of(Matcher.re("__name__", SyntheticSeries.METRIC_PREFIX + ".*"));
            mint = data.timestamp(0);
            maxt = data.timestamp(rounds - 1);
        }

        /**
         * Sets the root logger to INFO: the benchmarks jar carries no logback configuration, so logback's default
         * (DEBUG) would have grpc-netty log, and hex-dump, every HTTP/2 frame of the Series answer.
         */
        /** Appends round after round, {@value RoundRequests#SAMPLES} samples a request, waiting once per round. */
        private void fill(int rounds) {
            RemoteWriteEncoder.Session session = new RemoteWriteEncoder(data, 1).session();
            RemoteWriteDecoder decoder = new RemoteWriteDecoder();
            WriteBatch batch = new WriteBatch();
            Head.AppendContext ctx = new Head.AppendContext();
            int[] all = IntStream.range(0, SERIES).toArray();
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (int from = r * SERIES; from < (r + 1) * SERIES; from += RoundRequests.SAMPLES) {
                    int to = Math.min(from + RoundRequests.SAMPLES, (r + 1) * SERIES);
                    EncBuf raw = session.encodeRaw(new io.jreceive.bench.WriteBatch(0, null, all, from, to, null));
                    decoder.decode(raw.array(), raw.len(), batch, RemoteWriteLimits.DEFAULTS);
                    pending.add(db.write(batch, ctx));
                    if (ctx.stats.appended != to - from) {
                        throw new IllegalStateException("round " + r + ": appended " + ctx.stats.appended + " of "
                                + (to - from) + " samples; conflicts: " + ctx.stats.conflictMessage());
                    }
                }
                CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).join();
                pending.clear();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            tsdb.close();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A StoreAPI server over the tenant and a plaintext client channel to it. */
    @State(Scope.Benchmark)
    public static class Grpc {
        StoreServer server;
        ManagedChannel channel;
        StoreGrpc.StoreBlockingStub stub;
        /** An async client whose callbacks run on the transport thread: no hand-off per message. */
        ManagedChannel directChannel;
        StoreGrpc.StoreStub asyncStub;
        SeriesRequest request;

        @Setup(Level.Trial)
        public void setUp(Data d) throws IOException {
            server = new StoreServer(StoreConfig.plaintext("127.0.0.1", 0), d.tsdb).start();
            channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .maxInboundMessageSize(Integer.MAX_VALUE).build();
            stub = StoreGrpc.newBlockingStub(channel);
            directChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .maxInboundMessageSize(Integer.MAX_VALUE).directExecutor().build();
            asyncStub = StoreGrpc.newStub(directChannel);
            request = SeriesRequest.newBuilder().setMinTime(d.mint).setMaxTime(d.maxt)
                    .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("__name__")
                            .setValue(SyntheticSeries.METRIC_PREFIX + ".*"))
                    .setPartialResponseStrategy(PartialResponseStrategy.ABORT).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            directChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    /** Per-thread counts of chunks and chunk bytes read, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Read {
        public long chunks;
        public long chunkBytes;

        @Setup(Level.Iteration)
        public void reset() {
            chunks = 0;
            chunkBytes = 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public void select(Data d, Read read, Blackhole bh) {
        io.jreceive.block.ReadLease lease = new io.jreceive.block.ReadLease();
        SeriesSelector it = new SeriesSelector(d.db, lease, d.matchers, d.mint, d.maxt);
        int series = 0;
        long chunks = 0;
        long bytes = 0;
        while (it.hasNext()) {
            SeriesChunks s = it.next();
            series++;
            for (byte[] c : s.chunks()) {
                bytes += c.length;
            }
            chunks += s.numChunks();
            bh.consume(s.labels());
        }
        lease.close();
        check(series);
        bh.consume(bytes);
        read.chunks += chunks;
        read.chunkBytes += bytes;
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public void grpcSeries(Grpc g, Read read, Blackhole bh) {
        Iterator<SeriesResponse> it = g.stub.series(g.request);
        int series = 0;
        long chunks = 0;
        long bytes = 0;
        while (it.hasNext()) {
            SeriesResponse r = it.next();
            if (!r.hasSeries()) {
                continue;
            }
            series++;
            for (AggrChunk c : r.getSeries().getChunksList()) {
                bytes += c.getRaw().getData().size();
                chunks++;
            }
            bh.consume(r.getSeries().getLabelsCount());
        }
        check(series);
        bh.consume(bytes);
        read.chunks += chunks;
        read.chunkBytes += bytes;
    }

    /**
     * The same Series call through an async stub on a direct-executor channel, so what is measured is the server
     * and the transport rather than the blocking iterator's per-message thread wake-up (Thanos Query is a Go
     * streaming client and has no such hand-off).
     */
    @Benchmark
    @OperationsPerInvocation(SERIES)
    public void grpcSeriesAsync(Grpc g, Read read, Blackhole bh) throws InterruptedException {
        final long[] counts = new long[3];
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        final Throwable[] failure = new Throwable[1];
        g.asyncStub.series(g.request, new io.grpc.stub.StreamObserver<SeriesResponse>() {
            @Override
            public void onNext(SeriesResponse r) {
                if (!r.hasSeries()) {
                    return;
                }
                counts[0]++;
                for (AggrChunk c : r.getSeries().getChunksList()) {
                    counts[2] += c.getRaw().getData().size();
                    counts[1]++;
                }
            }

            @Override
            public void onError(Throwable t) {
                failure[0] = t;
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        done.await();
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        check((int) counts[0]);
        bh.consume(counts[2]);
        read.chunks += counts[1];
        read.chunkBytes += counts[2];
    }

    private static void check(int series) {
        if (series != SERIES) {
            throw new IllegalStateException("read " + series + " series, expected " + SERIES);
        }
    }
}
