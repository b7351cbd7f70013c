package io.jreceive.bench.jmh;

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
import org.openjdk.jmh.infra.Blackhole;

import io.jreceive.chunk.XorIterator;

/**
 * Decoding every sample of a 120-sample XOR chunk with one reused {@link XorIterator} (the query path's inner
 * loop), over {@value XorChunkAppendBenchmark#SERIES} different chunks of one {@link ChunkSamples shape}. Each
 * sample's timestamp and value bits are consumed. Score: samples/s (one op = one sample).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class XorChunkIterateBenchmark {
    @Param({"counter", "gauge", "constant"})
    public String shape;

    private byte[][] chunks;
    private final XorIterator it = new XorIterator();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        chunks = new byte[XorChunkAppendBenchmark.SERIES][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = ChunkSamples.generate(shape, XorChunkAppendBenchmark.SAMPLES, RoundRequests.START_MS, i)
                    .chunk(0, XorChunkAppendBenchmark.SAMPLES);
        }
    }

    @Benchmark
    @OperationsPerInvocation(XorChunkAppendBenchmark.SAMPLES)
    public void iterate(Blackhole bh) {
        byte[] c = chunks[next];
        next = (next + 1) & (XorChunkAppendBenchmark.SERIES - 1);
        XorIterator i = it.reset(c, 0, c.length);
        long t = 0;
        long v = 0;
        int n = 0;
        while (i.next()) {
            t += i.timestamp();
            v ^= i.valueBits();
            n++;
        }
        if (n != XorChunkAppendBenchmark.SAMPLES) {
            throw new IllegalStateException("chunk decoded to " + n + " samples");
        }
        bh.consume(t);
        bh.consume(v);
    }
}
