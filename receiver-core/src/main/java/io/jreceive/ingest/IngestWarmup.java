package io.jreceive.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import io.jreceive.encoding.EncBuf;
import io.jreceive.head.BlockRanges;
import io.jreceive.head.Head;
import io.jreceive.head.WalSink;
import io.jreceive.head.WriteBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Runs the ingest path on synthetic requests before the receiver reports ready, so that the JIT has compiled it when
 * the first real burst arrives. After a restart every connected Prometheus resends at once and every series is new:
 * without this, those requests run in the interpreter and in profiling code while the compilers take the cores
 * (measured: see benchmarks/RESULTS.md).
 *
 * <p>The requests are snappy-compressed remote-write 1.0 bodies sent as raw HTTP into an {@link EmbeddedChannel}
 * with the listener's own pipeline ({@link RemoteWriteServer#initPipeline}) and {@link RemoteWriteHandler}, into a
 * throwaway {@link Head} whose WAL sink keeps nothing. No tenant, file, WAL or metric of the receiver is touched:
 * the handler's metrics go to a private registry and everything is garbage afterwards. Its series, labels and values
 * are its own (node-exporter-like names under {@code jreceive_warmup_}), not any load's.
 *
 * <p>Two phases. Steady: a few hundred series for many rounds, several rounds per request as a queue shard batches
 * them, with what real series bring once they live longer: counters, constant and noisy gauges, scrape jitter,
 * missed scrapes of one, six and forty intervals, the 30th sample of a chunk (where its end is re-estimated), a
 * chunk cut for size and one at a block boundary, and a resent round (duplicates, answered 200). Then creation: many
 * new series, a few samples each, one round per request. C2 compiles only the branches its profile saw taken; one
 * first taken under load throws the compiled method away, and recompiling the append path took C2 about half a
 * second of a core each time. The steady phase goes first because C2 compiles the append path during the creation
 * phase, from the profile it has then (measured: see benchmarks/RESULTS.md). With an out-of-order window the steady
 * phase runs a second time into a head with that window, some samples one round late: otherwise C2 compiles the
 * out-of-order path under the first late samples, and its scratch memory and the recompiled append path stayed
 * resident (measured: RESULTS, out-of-order ingestion). Last, with {@link Plan#withSmallRequests}, many small
 * requests, so that what runs once per request has run often enough for C2 ({@link #smallRequests}). Before all
 * phases a lock is handed to a parked waiter once ({@link ContendedLock}): the phases run on one thread, and the
 * first contended release under real load otherwise threw the compiled append path away.
 */
public final class IngestWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(IngestWarmup.class);
    private static final String METRIC_PREFIX = "jreceive_warmup_metric_";
    private static final String HISTOGRAM_PREFIX = "jreceive_warmup_histogram_";
    private static final int METRICS_PER_HOST = 40;
    private static final long START_MS = 1_700_000_000_000L;
    private static final long INTERVAL_MS = 15_000;
    /** The heads' block range: Prometheus' and the receiver's default, 2h. */
    private static final long CHUNK_RANGE_MS = 2 * 3600_000L;
    /** Upper bound of one encoded series of {@link #body} (six labels, one sample: about 190 bytes). */
    private static final int MAX_SERIES_BYTES = 256;
    /** Upper bound of one encoded histogram series (six labels, up to 33 buckets: about 290 bytes). */
    private static final int MAX_HISTOGRAM_SERIES_BYTES = 512;
    private static final String OK_STATUS_LINE = "HTTP/1.1 200 OK\r\n";
    private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

    /** What a warm-up did: requests sent, series written over all heads, samples they accepted, time taken. */
    public record Result(int requests, int series, long samples, long millis) {
    }

    /**
     * What a warm-up sends: first {@code steadySeries} series for {@code steadyRounds} rounds in requests of about
     * {@code seriesPerRequest} samples (0 = no steady phase); then {@code series} new series with {@code rounds}
     * samples each in requests of {@code seriesPerRequest} series (one round each), a fresh head every
     * {@code seriesPerHead} series. With {@code awaitCompiler} it then waits for the JIT compilers to go idle, sends
     * the steady phase and the first creation head again (what crossed a compile threshold while the compilers were
     * busy gets queued now) and waits for them once more.
     */
    public record Plan(int series, int rounds, int seriesPerRequest, int seriesPerHead, int steadySeries,
                       int steadyRounds, boolean awaitCompiler, long outOfOrderWindowMs, int outOfOrderCapMax,
                       int histogramSeries, int histogramRounds, int smallRequests) {
        /** New series per request of the small requests phase ({@link #withSmallRequests}). */
        public static final int SMALL_REQUEST_SERIES = 4;

        /** A plan for a receiver without an out-of-order window, sending no native histograms. */
        public Plan(int series, int rounds, int seriesPerRequest, int seriesPerHead, int steadySeries,
                    int steadyRounds, boolean awaitCompiler) {
            this(series, rounds, seriesPerRequest, seriesPerHead, steadySeries, steadyRounds, awaitCompiler, 0, 0,
                    0, 0, 0);
        }

        /**
         * The same plan with a native histogram phase after the steady one: {@code series} series of integer
         * histograms for {@code rounds} rounds (see {@link #histograms}); 0 = none.
         */
        public Plan withHistograms(int series, int rounds) {
            return new Plan(this.series, this.rounds, seriesPerRequest, seriesPerHead, steadySeries, steadyRounds,
                    awaitCompiler, outOfOrderWindowMs, outOfOrderCapMax, series, rounds, smallRequests);
        }

        /**
         * The same plan with a last phase of {@code requests} small requests, {@value #SMALL_REQUEST_SERIES} new
         * series each (see {@link #smallRequests}); 0 = none.
         */
        public Plan withSmallRequests(int requests) {
            return new Plan(series, rounds, seriesPerRequest, seriesPerHead, steadySeries, steadyRounds,
                    awaitCompiler, outOfOrderWindowMs, outOfOrderCapMax, histogramSeries, histogramRounds, requests);
        }

        /**
         * The same plan for a receiver whose heads take out-of-order samples within {@code windowMs}, in chunks of
         * {@code capMax} samples: its steady phase then runs a second time with late samples (see {@link #steady}).
         */
        public Plan withOutOfOrder(long windowMs, int capMax) {
            return new Plan(series, rounds, seriesPerRequest, seriesPerHead, steadySeries, steadyRounds,
                    awaitCompiler, windowMs, capMax, histogramSeries, histogramRounds, smallRequests);
        }

        /** Whether the late samples of {@link #steady} fall in the window: one interval late must be inside it. */
        boolean outOfOrder() {
            return outOfOrderWindowMs >= 2 * INTERVAL_MS && outOfOrderCapMax > 0;
        }

        /** Series (creation) or samples (steady) per request: at least 1. */
        int requestSize() {
            return Math.max(1, seriesPerRequest);
        }

        /** Series per creation head: at least a request's. */
        int headSize() {
            return Math.max(requestSize(), seriesPerHead);
        }
    }

    /** Hand-overs of a lock to a parked waiter before the phases ({@link ContendedLock}). */
    private static final int HAND_OVERS = 3;
    /** A compiler counts as idle once its threads used no CPU for this long. */
    private static final long COMPILER_QUIET_MS = 200;
    /** The longest each wait for the compilers may take. */
    private static final long COMPILER_MAX_WAIT_MS = 5_000;

    private IngestWarmup() {
    }

    /**
     * Runs {@code plan} (see {@link Plan}). Every head of the creation phase gets the same requests, built once: the
     * warm-up then makes little garbage besides what the ingest path itself allocates, so the young generation
     * stays small (whatever heap the JVM touches here stays resident). Throws if a request is not answered 200 or a
     * head does not hold exactly what was sent: the ingest path would then be broken for real requests too.
     */
    public static Result run(RemoteWriteConfig config, Plan plan) {
        return run(config, plan, () -> false);
    }

    /**
     * As {@link #run(RemoteWriteConfig, Plan)}, but once {@code stopWaiting} says so the waits for the compilers end
     * and the small requests and the second round of phases are left out: after a restart's WAL replay, waiting for
     * the compilers would delay ready by more than the warm-up saves the first requests.
     */
    public static Result run(RemoteWriteConfig config, Plan plan, BooleanSupplier stopWaiting) {
        final long begin = System.nanoTime();
        final WalSink discard = new WalSink() {
            @Override
            public CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord) {
                return DURABLE;
            }

            @Override
            public CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord,
                                               EncBuf[] histogramRecords) {
                return DURABLE;
            }

            @Override
            public CompletableFuture<Void> logOutOfOrder(EncBuf samplesRecord) {
                return DURABLE;
            }
        };
        final Head[] head = {null};
        final TenantWriter writer = new TenantWriter() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
                return head[0].append(batch, ctx, discard);
            }
        };
        final RemoteWriteHandler handler = new RemoteWriteHandler(config, writer, new SimpleMeterRegistry());
        final EmbeddedChannel ch = new EmbeddedChannel();
        RemoteWriteServer.initPipeline(ch.pipeline(), handler, config.limits());
        final Tally tally = new Tally();
        long waited = 0;
        try {
            ContendedLock.handOver(HAND_OVERS);
            phases(ch, head, plan, plan.series(), tally, stopWaiting);
            if (plan.awaitCompiler()) {
                waited += CompilerIdle.await(COMPILER_QUIET_MS, COMPILER_MAX_WAIT_MS, stopWaiting);
                if (!stopWaiting.getAsBoolean()) {
                    phases(ch, head, plan, Math.min(plan.series(), plan.headSize()), tally, stopWaiting);
                    waited += CompilerIdle.await(COMPILER_QUIET_MS, COMPILER_MAX_WAIT_MS, stopWaiting);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            head[0] = null;
            ch.finishAndReleaseAll();
        }
        Result res = new Result(tally.requests, tally.series, tally.samples,
                (System.nanoTime() - begin) / 1_000_000);
        LOG.info("ingest warm-up: {} requests, {} series, {} samples in {} ms ({} ms of it waiting for the JIT{})",
                res.requests(), res.series(), res.samples(), res.millis(), waited,
                stopWaiting.getAsBoolean() ? ", cut short: storage was ready" : "");
        return res;
    }

    /** Requests, series and samples sent so far. */
    private static final class Tally {
        int requests;
        int series;
        long samples;
    }

    /**
     * The steady phase, then the creation phase for {@code series} series, each head checked; counted in {@code t}.
     * The small requests come last, unless {@code stopWaiting} says storage is ready by then.
     */
    private static void phases(EmbeddedChannel ch, Head[] head, Plan plan, int series, Tally t,
                               BooleanSupplier stopWaiting) throws IOException {
        final int perRequest = plan.requestSize();
        final int perHead = plan.headSize();
        if (plan.steadySeries() > 0 && plan.steadyRounds() > 0) {
            head[0] = new Head(CHUNK_RANGE_MS, 0);
            t.requests += steady(ch, head[0], plan.steadySeries(), plan.steadyRounds(), perRequest, false);
            t.series += plan.steadySeries();
            t.samples += head[0].samplesAppended();
            if (plan.outOfOrder()) {
                head[0] = new Head(CHUNK_RANGE_MS, 0);
                head[0].outOfOrder(plan.outOfOrderWindowMs(), plan.outOfOrderCapMax());
                t.requests += steady(ch, head[0], plan.steadySeries(), plan.steadyRounds(), perRequest, true);
                t.series += plan.steadySeries();
                t.samples += head[0].samplesAppended();
            }
        }
        if (plan.histogramSeries() > 0 && plan.histogramRounds() > 0) {
            head[0] = new Head(CHUNK_RANGE_MS, 0);
            t.requests += histograms(ch, head[0], plan.histogramSeries(), plan.histogramRounds(), perRequest);
            t.series += plan.histogramSeries();
            t.samples += head[0].samplesAppended();
            if (plan.rounds() > 0) {
                head[0] = new Head(CHUNK_RANGE_MS, 0);
                t.requests += newHistogramSeries(ch, perHead, plan.rounds(), perRequest);
                check(head[0], perHead, (long) perHead * plan.rounds());
                t.series += perHead;
                t.samples += head[0].samplesAppended();
            }
        }
        final int fullSeries = Math.min(series, perHead);
        final byte[][][] full = bodies(fullSeries, perRequest, plan.rounds());
        for (int first = 0; first < series; first += perHead) {
            final int n = Math.min(series - first, perHead);
            final byte[][][] bodies = n == fullSeries ? full : bodies(n, perRequest, plan.rounds());
            head[0] = new Head(CHUNK_RANGE_MS, 0);
            for (byte[][] request : bodies) {
                for (byte[] round : request) {
                    send(ch, round);
                    t.requests++;
                }
            }
            check(head[0], n, expectedSamples(n, plan.rounds()));
            t.series += n;
            t.samples += head[0].samplesAppended();
        }
        // After a replay they would delay ready by more than they save (see run).
        if (plan.smallRequests() > 0 && !stopWaiting.getAsBoolean()) {
            head[0] = new Head(CHUNK_RANGE_MS, 0);
            t.requests += smallRequests(ch, plan.smallRequests());
            final int n = plan.smallRequests() * Plan.SMALL_REQUEST_SERIES;
            check(head[0], n, n);
            t.series += n;
            t.samples += n;
        }
    }

    /**
     * The small requests phase: {@code requests} requests of {@link Plan#SMALL_REQUEST_SERIES} new series with one
     * sample each; returns the requests sent. What runs once per request (the HTTP decoder's header parsing, the
     * head's append, series creation and record checks) runs a few hundred times in the phases before, and C2
     * compiles a method once it has run several hundred times: without this, those methods reached it under the
     * first real load, whose 600 requests of 10k series then paid about 0.2 s of a core for their compilation
     * (measured: RESULTS).
     */
    private static int smallRequests(EmbeddedChannel ch, int requests) throws IOException {
        final int per = Plan.SMALL_REQUEST_SERIES;
        final byte[] buf = new byte[per * MAX_SERIES_BYTES];
        for (int k = 0; k < requests; k++) {
            send(ch, body(k * per, (k + 1) * per, 0, 1, START_MS, buf, -1));
        }
        return requests;
    }

    /**
     * The steady phase into {@code head}: rounds {@code [0, rounds)} of {@code series} series, as many whole rounds
     * per request as fit in {@code perRequest} samples, then the last round once more (a retry whose first attempt
     * was stored: duplicates, answered 200); returns the requests sent. The block boundary falls at round
     * {@code rounds * 9 / 10}, after the chunks of the noisy gauges outgrew
     * {@link io.jreceive.chunk.XorChunk#MAX_BYTES}. With {@code late}, the head has an out-of-order window and
     * some samples arrive one round late, after their successor ({@link #late}), as from a sender catching up or a
     * second replica: they take the out-of-order path, whose chunks some series fill to their cap.
     */
    private static int steady(EmbeddedChannel ch, Head head, int series, int rounds, int perRequest, boolean late)
            throws IOException {
        final long start = startBeforeBoundary(rounds);
        final int perBody = Math.max(1, perRequest / series);
        // Late samples of the round before the first can add up to one round.
        final byte[] buf = new byte[series * (perBody + 1) * MAX_SERIES_BYTES];
        int requests = 0;
        final int lastLate = late ? rounds - 2 : -1;
        for (int r = 0; r < rounds; r += perBody) {
            send(ch, body(0, series, r, Math.min(rounds, r + perBody), start, buf, lastLate));
            requests++;
        }
        final long appended = head.samplesAppended();
        send(ch, body(0, series, rounds - 1, rounds, start, buf, lastLate));
        check(head, series, expectedSamples(series, rounds));
        if (head.samplesAppended() != appended) {
            throw new IllegalStateException("ingest warm-up: a resent round appended "
                    + (head.samplesAppended() - appended) + " samples again");
        }
        if (late && head.outOfOrderAppended() == 0) {
            throw new IllegalStateException("ingest warm-up: no late sample took the out-of-order path");
        }
        return requests + 1;
    }

    /**
     * The native histogram phase into {@code head}: rounds {@code [0, rounds)} of {@code series} series of integer
     * histograms ({@link #writeHistogramSeries}), as many whole rounds per request as fit in {@code perRequest}
     * samples, then the last round once more (identical resends, ignored); returns the requests sent. The block
     * boundary falls at round {@code rounds * 9 / 10}: every series' chunk is cut there for time, and the next one
     * starts in its buffer. Without it
     * C2 compiled the histogram decode, validation, append and WAL paths under the first histogram load, and its
     * scratch memory (about 20 MB of compiler arenas at 10k series) stayed resident (measured: RESULTS, native
     * histograms).
     */
    private static int histograms(EmbeddedChannel ch, Head head, int series, int rounds, int perRequest)
            throws IOException {
        final long start = startBeforeBoundary(rounds);
        final int perBody = Math.max(1, perRequest / series);
        final byte[] buf = new byte[series * perBody * MAX_HISTOGRAM_SERIES_BYTES];
        final byte[] hist = new byte[MAX_HISTOGRAM_SERIES_BYTES];
        int requests = 0;
        for (int r = 0; r < rounds; r += perBody) {
            send(ch, histogramBody(0, series, r, Math.min(rounds, r + perBody), start, buf, hist));
            requests++;
        }
        final long appended = head.samplesAppended();
        send(ch, histogramBody(0, series, rounds - 1, rounds, start, buf, hist));
        check(head, series, (long) series * rounds);
        if (head.samplesAppended() != appended) {
            throw new IllegalStateException("ingest warm-up: a resent round appended "
                    + (head.samplesAppended() - appended) + " histograms again");
        }
        return requests + 1;
    }

    /**
     * The native histogram creation phase: {@code series} new series of integer histograms, {@code rounds} samples
     * each, in requests of {@code perRequest} series (one round each), as a sender's first requests after a restart
     * bring them; returns the requests sent. The steady phase creates too few series for C2 to compile a chunk's
     * first sample and the series creation of a histogram series: without this it compiled them under the first
     * histogram load of 10k series, and its scratch memory was still held when the load ended (measured: RESULTS,
     * native histograms).
     */
    private static int newHistogramSeries(EmbeddedChannel ch, int series, int rounds, int perRequest)
            throws IOException {
        final byte[] buf = new byte[perRequest * MAX_HISTOGRAM_SERIES_BYTES];
        final byte[] hist = new byte[MAX_HISTOGRAM_SERIES_BYTES];
        int requests = 0;
        for (int from = 0; from < series; from += perRequest) {
            for (int r = 0; r < rounds; r++) {
                send(ch, histogramBody(from, Math.min(series, from + perRequest), r, r + 1, START_MS, buf, hist));
                requests++;
            }
        }
        return requests;
    }

    /**
     * Rounds {@code [r0, r1)} of histogram series {@code [from, to)} as a compressed 1.0 body, round 0 at
     * {@code start}.
     */
    static byte[] histogramBody(int from, int to, int r0, int r1, long start, byte[] buf, byte[] hist)
            throws IOException {
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        for (int r = r0; r < r1; r++) {
            for (int i = from; i < to; i++) {
                writeHistogramSeries(out, i, r, start, hist);
            }
        }
        return Snappy.compress(Arrays.copyOf(buf, out.getTotalBytesWritten()));
    }

    /**
     * Series {@code i}'s integer histogram of round {@code r}: exponential schema 3, 8, 20 or 32 buckets growing like
     * counters; every 7th series gains a bucket after a gap from round 50 on (the chunk is re-encoded into the wider
     * layout), every 11th restarts its counts at round 60 (a counter reset cuts a chunk).
     */
    private static void writeHistogramSeries(CodedOutputStream out, int i, int r, long start, byte[] hist)
            throws IOException {
        final int buckets = 8 + (i % 3) * 12;
        final int age = i % 11 == 4 && r >= 60 ? r - 60 : r;
        final boolean extra = i % 7 == 2 && r >= 50;
        CodedOutputStream h = CodedOutputStream.newInstance(hist);
        long zeroCount = age + (i & 1);
        long count = zeroCount;
        int deltasSize = 0;
        long prev = 0;
        for (int k = 0; k < buckets; k++) {
            long c = (long) (age + 1) * (1 + (i + k) % 4);
            count += c;
            deltasSize += CodedOutputStream.computeSInt64SizeNoTag(c - prev);
            prev = c;
        }
        final long extraCount = extra ? r - 49 : 0;
        if (extra) {
            count += extraCount;
            deltasSize += CodedOutputStream.computeSInt64SizeNoTag(extraCount - prev);
        }
        h.writeUInt64(1, count);
        h.writeDouble(3, age * 1.25 + i);
        h.writeSInt32(4, 3);
        h.writeDouble(5, 0x1p-128);
        h.writeUInt64(6, zeroCount);
        writeSpan(h, -10, buckets);
        if (extra) {
            writeSpan(h, 2, 1);
        }
        h.writeTag(12, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        h.writeUInt32NoTag(deltasSize);
        prev = 0;
        for (int k = 0; k < buckets; k++) {
            long c = (long) (age + 1) * (1 + (i + k) % 4);
            h.writeSInt64NoTag(c - prev);
            prev = c;
        }
        if (extra) {
            h.writeSInt64NoTag(extraCount - prev);
        }
        h.writeInt64(15, start + r * INTERVAL_MS);
        final int histSize = h.getTotalBytesWritten();
        final String[] labels = labels(i, HISTOGRAM_PREFIX);
        int labelsSize = 0;
        for (int j = 0; j < labels.length; j += 2) {
            labelsSize += lengthDelimitedSize(1, labelSize(labels[j], labels[j + 1]));
        }
        out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(labelsSize + lengthDelimitedSize(4, histSize));
        writeLabels(out, labels);
        out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(histSize);
        out.writeRawBytes(hist, 0, histSize);
    }

    /** A {@code positive_spans} entry (field 11): offset (sint32, 1) and length (uint32, 2). */
    private static void writeSpan(CodedOutputStream h, int offset, int length) throws IOException {
        h.writeTag(11, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        h.writeUInt32NoTag(CodedOutputStream.computeSInt32Size(1, offset)
                + CodedOutputStream.computeUInt32Size(2, length));
        h.writeSInt32(1, offset);
        h.writeUInt32(2, length);
    }

    /**
     * Whether series {@code i}'s sample of round {@code r} is sent late, after round {@code r + 1}'s: one in ten,
     * and every other one of every eighth series (which fill out-of-order chunks to their cap), from round 8 on
     * (the head's window starts from its newest sample: the first request finds it empty).
     */
    static boolean late(int i, int r) {
        return r >= 8 && (i % 8 == 5 ? r % 2 == 1 : (i + r) % 10 == 3);
    }

    /** The bodies for a head of {@code series} series: per request of {@code perRequest} series, one per round. */
    private static byte[][][] bodies(int series, int perRequest, int rounds) throws IOException {
        final byte[] buf = new byte[perRequest * MAX_SERIES_BYTES];
        final byte[][][] out = new byte[(series + perRequest - 1) / perRequest][rounds][];
        for (int k = 0; k < out.length; k++) {
            for (int r = 0; r < rounds; r++) {
                out[k][r] = body(k * perRequest, Math.min(series, (k + 1) * perRequest), r, r + 1, START_MS, buf,
                        -1);
            }
        }
        return out;
    }

    /** The samples rounds {@code [0, rounds)} of series {@code [0, series)} hold ({@link #present}). */
    private static long expectedSamples(int series, int rounds) {
        long n = 0;
        for (int i = 0; i < series; i++) {
            for (int r = 0; r < rounds; r++) {
                n += present(i, r) ? 1 : 0;
            }
        }
        return n;
    }

    private static void check(Head head, int series, long samples) {
        if (head.numSeries() != series || head.samplesAppended() != samples) {
            throw new IllegalStateException("ingest warm-up: head holds " + head.numSeries() + " series and "
                    + head.samplesAppended() + " samples, sent " + series + " and " + samples);
        }
    }

    /** Sends one HTTP request and checks its answer. */
    private static void send(EmbeddedChannel ch, byte[] compressed) {
        String head = "POST " + RemoteWriteConfig.PATH + " HTTP/1.1\r\n"
                + "Host: warmup\r\n"
                + "Content-Type: application/x-protobuf\r\n"
                + "Content-Encoding: snappy\r\n"
                + "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
                + "Content-Length: " + compressed.length + "\r\n\r\n";
        ByteBuf in = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), compressed);
        ch.writeInbound(in);
        ch.runPendingTasks();
        StringBuilder answer = new StringBuilder();
        for (Object out; (out = ch.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            answer.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        if (!answer.toString().startsWith(OK_STATUS_LINE)) {
            String line = answer.length() == 0 ? "no answer" : answer.toString().replace("\r\n", " | ").trim();
            throw new IllegalStateException("ingest warm-up: a request was answered: " + line);
        }
    }

    /** Round 0's time for {@code rounds} rounds whose block boundary falls at round {@code rounds * 9 / 10}. */
    private static long startBeforeBoundary(int rounds) {
        return BlockRanges.rangeEnd(START_MS, CHUNK_RANGE_MS) - (long) rounds * 9 / 10 * INTERVAL_MS;
    }

    /**
     * Rounds {@code [r0, r1)} of series {@code from} to {@code to - 1}, round by round, as a compressed 1.0 body
     * with one sample per series entry (a series repeats once per round, as a queue shard's batch holds it); a
     * series missing a round ({@link #present}) is left out of it. Written field by field into {@code buf}
     * (builders would make a few megabytes of garbage per request; this makes the strings). A sample of a round up to
     * {@code lastLate} that is {@link #late} comes after the next round's samples instead of in its own round.
     */
    static byte[] body(int from, int to, int r0, int r1, long start, byte[] buf, int lastLate) throws IOException {
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        for (int r = r0; r < r1; r++) {
            for (int i = from; i < to; i++) {
                if (present(i, r) && !(r <= lastLate && late(i, r))) {
                    writeSeries(out, i, timestamp(i, r, start), value(i, r));
                }
            }
            for (int i = from; i < to && r > 0 && r - 1 <= lastLate; i++) {
                if (present(i, r - 1) && late(i, r - 1)) {
                    writeSeries(out, i, timestamp(i, r - 1, start), value(i, r - 1));
                }
            }
        }
        return Snappy.compress(Arrays.copyOf(buf, out.getTotalBytesWritten()));
    }

    private static void writeSeries(CodedOutputStream out, int i, long t, double v) throws IOException {
        String[] labels = labels(i, METRIC_PREFIX);
        int labelsSize = 0;
        for (int j = 0; j < labels.length; j += 2) {
            labelsSize += lengthDelimitedSize(1, labelSize(labels[j], labels[j + 1]));
        }
        int sampleSize = CodedOutputStream.computeDoubleSize(1, v) + CodedOutputStream.computeInt64Size(2, t);
        out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(labelsSize + lengthDelimitedSize(2, sampleSize));
        writeLabels(out, labels);
        out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(sampleSize);
        out.writeDouble(1, v);
        out.writeInt64(2, t);
    }

    /** Series {@code i}'s label pairs under metric name prefix {@code prefix}. */
    private static String[] labels(int i, String prefix) {
        int host = i / METRICS_PER_HOST;
        return new String[] {
            "__name__", prefix + (i % METRICS_PER_HOST),
            "container", "node-exporter",
            "instance", "10." + (host >> 16 & 255) + "." + (host >> 8 & 255) + "." + (host & 255) + ":9100",
            "job", "node",
            "namespace", "monitoring-" + host % 7,
            "pod", "node-exporter-" + Integer.toString(host * 7919, 36),
        };
    }

    private static void writeLabels(CodedOutputStream out, String[] labels) throws IOException {
        for (int j = 0; j < labels.length; j += 2) {
            out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(labelSize(labels[j], labels[j + 1]));
            out.writeString(1, labels[j]);
            out.writeString(2, labels[j + 1]);
        }
    }

    /**
     * Whether series {@code i} has a sample in round {@code r}: from round 8 on, every 16th series misses one scrape
     * in eleven, every 64th six in forty and every 256th forty (rounds 60-99), so deltas of deltas need each of the
     * XOR encoding's widths.
     */
    static boolean present(int i, int r) {
        if (r < 8) {
            return true;
        }
        return !(i % 16 == 3 && r % 11 == 5) && !(i % 64 == 7 && r % 40 >= 20 && r % 40 < 26)
                && !(i % 256 == 9 && r >= 60 && r < 100);
    }

    /** Round {@code r}'s timestamp of series {@code i}: every fourth series is scraped with a few ms of jitter. */
    static long timestamp(int i, int r, long start) {
        long t = start + r * INTERVAL_MS;
        return i % 4 == 1 ? t + (i * 7 + r * 13) % 5 : t;
    }

    /** Round {@code r}'s value of series {@code i}: a counter, a constant, a noisy gauge or a resetting counter. */
    static double value(int i, int r) {
        return switch (i % 4) {
            case 0 -> r * 1.5 + (i % 97) * 0.25;
            case 1 -> (i % 97) * 0.25;
            case 2 -> noise(i, r);
            default -> (r % 50) * 10.0 + i % 7;
        };
    }

    /** A value with a random sign, exponent (2^-8 to 2^23) and mantissa: the XOR encoding's widest case. */
    private static double noise(int i, int r) {
        long h = (i * 0x9E3779B97F4A7C15L + r) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        double g = Math.scalb((h >>> 11) * 0x1.0p-53, (int) (h & 31) - 8);
        return (h & 32) == 0 ? g : -g;
    }

    private static int labelSize(String name, String value) {
        return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
    }

    private static int lengthDelimitedSize(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
}
