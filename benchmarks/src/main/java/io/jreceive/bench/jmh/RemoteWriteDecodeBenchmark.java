package io.jreceive.bench.jmh;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

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
import org.xerial.snappy.Snappy;

import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWrite2Decoder;
import io.jreceive.ingest.RemoteWriteLimits;

/**
 * Decoding one remote-write request of {@value RoundRequests#SAMPLES} samples (one per series, full label sets, as
 * a Prometheus queue sends) into a reused {@link WriteBatch}, for remote write 1.0 and 2.0. {@code snappy=true}
 * includes the block decompression the HTTP handler does first. Requests rotate over 5 distinct bodies (10k
 * series). Score: samples/s (one op = one sample).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RemoteWriteDecodeBenchmark {
    private static final int SERIES = 10_000;

    @Param({"1", "2"})
    public int protocol;

    @Param({"false", "true"})
    public boolean snappy;

    private RoundRequests requests;
    private byte[][] compressed;
    private byte[] decoded;
    private final RemoteWriteDecoder v1 = new RemoteWriteDecoder();
    private final RemoteWrite2Decoder v2 = new RemoteWrite2Decoder();
    private final WriteBatch batch = new WriteBatch();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        requests = RoundRequests.encode(SERIES, protocol);
        compressed = new byte[requests.requests()][];
        int max = 0;
        for (int j = 0; j < compressed.length; j++) {
            compressed[j] = requests.snappy(j);
            max = Math.max(max, requests.len[j]);
        }
        decoded = new byte[max];
    }

    @Benchmark
    @OperationsPerInvocation(RoundRequests.SAMPLES)
    public int decode() throws IOException {
        int j = next;
        next = j + 1 == compressed.length ? 0 : j + 1;
        byte[] body;
        int len;
        if (snappy) {
            body = decoded;
            len = Snappy.rawUncompress(compressed[j], 0, compressed[j].length, decoded, 0);
        } else {
            body = requests.body[j];
            len = requests.len[j];
        }
        if (protocol == 1) {
            v1.decode(body, len, batch, RemoteWriteLimits.DEFAULTS);
        } else {
            v2.decode(body, len, batch, RemoteWriteLimits.DEFAULTS);
        }
        if (batch.sampleTotal() != RoundRequests.SAMPLES) {
            throw new IllegalStateException("decoded " + batch.sampleTotal() + " samples");
        }
        return batch.seriesCount();
    }
}
