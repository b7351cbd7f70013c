package io.jreceive.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

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
 */
public final class IngestWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(IngestWarmup.class);
    private static final String METRIC_PREFIX = "jreceive_warmup_metric_";
    private static final int METRICS_PER_HOST = 40;
    private static final long START_MS = 1_700_000_000_000L;
    private static final long INTERVAL_MS = 15_000;
    /** Upper bound of one encoded series of {@link #body} (six labels, one sample: about 190 bytes). */
    private static final int MAX_SERIES_BYTES = 256;
    private static final String OK_STATUS_LINE = "HTTP/1.1 200 OK\r\n";
    private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

    /** What a warm-up did: requests sent, series written over all heads, samples they accepted, time taken. */
    public record Result(int requests, int series, long samples, long millis) {
    }

    private IngestWarmup() {
    }

    /**
     * Writes {@code series} new series with {@code rounds} samples each, in requests of {@code seriesPerRequest}
     * series with one sample each (a Prometheus queue shard's batch). Every
     * {@code seriesPerHead} series go to a fresh head, and every head gets the same requests, built once: the
     * warm-up then makes little garbage besides what the ingest path itself allocates, so the young generation
     * stays small (whatever heap the JVM touches here stays resident). A request's series get all their rounds
     * before the next ones start. Throws if a request is not answered 200 or a head does not hold exactly what was
     * sent: the ingest path would then be broken for real requests too.
     */
    public static Result run(RemoteWriteConfig config, int series, int rounds, int seriesPerRequest,
                             int seriesPerHead) {
        final long begin = System.nanoTime();
        final WalSink discard = (seriesRecord, samplesRecord) -> DURABLE;
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
        final int perRequest = Math.max(1, seriesPerRequest);
        final int perHead = Math.max(perRequest, seriesPerHead);
        int requests = 0;
        long samples = 0;
        try {
            final int fullSeries = Math.min(series, perHead);
            final byte[][][] full = bodies(fullSeries, perRequest, rounds);
            for (int first = 0; first < series; first += perHead) {
                final int n = Math.min(series - first, perHead);
                final byte[][][] bodies = n == fullSeries ? full : bodies(n, perRequest, rounds);
                head[0] = new Head(2 * 3600_000L, 0);
                for (byte[][] request : bodies) {
                    for (byte[] round : request) {
                        send(ch, round);
                        requests++;
                    }
                }
                check(head[0], n, (long) n * rounds);
                samples += head[0].samplesAppended();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            head[0] = null;
            ch.finishAndReleaseAll();
        }
        Result res = new Result(requests, series, samples, (System.nanoTime() - begin) / 1_000_000);
        LOG.info("ingest warm-up: {} requests, {} series, {} samples in {} ms", res.requests(), res.series(),
                res.samples(), res.millis());
        return res;
    }

    /** The bodies for a head of {@code series} series: per request of {@code perRequest} series, one per round. */
    private static byte[][][] bodies(int series, int perRequest, int rounds) throws IOException {
        final byte[] buf = new byte[perRequest * MAX_SERIES_BYTES];
        final byte[][][] out = new byte[(series + perRequest - 1) / perRequest][rounds][];
        for (int k = 0; k < out.length; k++) {
            for (int r = 0; r < rounds; r++) {
                out[k][r] = body(k * perRequest, Math.min(series, (k + 1) * perRequest), r, buf);
            }
        }
        return out;
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

    /**
     * Round {@code r}'s sample of series {@code from} to {@code to - 1}, as a compressed 1.0 body, written field by
     * field into {@code buf} (builders would make a few megabytes of garbage per request; this makes the strings).
     */
    static byte[] body(int from, int to, int r, byte[] buf) throws IOException {
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        for (int i = from; i < to; i++) {
            int host = i / METRICS_PER_HOST;
            String[] labels = {
                "__name__", METRIC_PREFIX + (i % METRICS_PER_HOST),
                "container", "node-exporter",
                "instance", "10." + (host >> 16 & 255) + "." + (host >> 8 & 255) + "." + (host & 255) + ":9100",
                "job", "node",
                "namespace", "monitoring-" + host % 7,
                "pod", "node-exporter-" + Integer.toString(host * 7919, 36),
            };
            int labelsSize = 0;
            for (int j = 0; j < labels.length; j += 2) {
                labelsSize += lengthDelimitedSize(1, labelSize(labels[j], labels[j + 1]));
            }
            long t = START_MS + r * INTERVAL_MS;
            double v = r * 1.5 + (i % 97) * 0.25;
            int sampleSize = CodedOutputStream.computeDoubleSize(1, v) + CodedOutputStream.computeInt64Size(2, t);
            out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(labelsSize + lengthDelimitedSize(2, sampleSize));
            for (int j = 0; j < labels.length; j += 2) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(labelSize(labels[j], labels[j + 1]));
                out.writeString(1, labels[j]);
                out.writeString(2, labels[j + 1]);
            }
            out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(sampleSize);
            out.writeDouble(1, v);
            out.writeInt64(2, t);
        }
        return Snappy.compress(Arrays.copyOf(buf, out.getTotalBytesWritten()));
    }

    private static int labelSize(String name, String value) {
        return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
    }

    private static int lengthDelimitedSize(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
}
