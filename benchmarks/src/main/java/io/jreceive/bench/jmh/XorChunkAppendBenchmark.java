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

import io.jreceive.chunk.XorAppender;

/**
 * Encoding a full 120-sample XOR chunk (Prometheus' target size, 30 min of 15 s scrapes) with a new
 * {@link XorAppender}, as the head does for every chunk it cuts. Cycles over {@value #SERIES} different series of
 * one {@link ChunkSamples shape} so branch history does not memorise one chunk. Score: samples/s (one op = one
 * sample).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class XorChunkAppendBenchmark {
    static final int SAMPLES = 120;
    static final int SERIES = 1024;

    @Param({"counter", "gauge", "constant"})
    public String shape;

    private ChunkSamples[] series;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        series = new ChunkSamples[SERIES];
        for (int i = 0; i < SERIES; i++) {
            series[i] = ChunkSamples.generate(shape, SAMPLES, RoundRequests.START_MS, i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public XorAppender append() {
        ChunkSamples s = series[next];
        next = (next + 1) & (SERIES - 1);
        final long[] t = s.t;
        final long[] bits = s.bits;
        XorAppender a = new XorAppender();
        for (int i = 0; i < SAMPLES; i++) {
            a.appendBits(t[i], bits[i]);
        }
        return a;
    }
}
