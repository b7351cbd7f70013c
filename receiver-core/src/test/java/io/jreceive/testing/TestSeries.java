package io.jreceive.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.labels.Labels;

/**
 * A {@link ChunkSeries} built in tests from known samples: XOR chunks cut every {@code samplesPerChunk} samples,
 * keeping the samples so tests can compare what a reader (or promtool) returns with what went in.
 */
public final class TestSeries implements ChunkSeries {
    private final Labels labels;
    private final long[] timestamps;
    private final long[] valueBits;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<long[]> ranges = new ArrayList<>();

    private TestSeries(Labels labels, long[] timestamps, long[] valueBits, int samplesPerChunk) {
        this.labels = labels;
        this.timestamps = timestamps;
        this.valueBits = valueBits;
        for (int start = 0; start < timestamps.length; start += samplesPerChunk) {
            int end = Math.min(timestamps.length, start + samplesPerChunk);
            XorAppender a = new XorAppender();
            for (int i = start; i < end; i++) {
                a.appendBits(timestamps[i], valueBits[i]);
            }
            chunks.add(a.bytes());
            ranges.add(new long[] {timestamps[start], timestamps[end - 1]});
        }
    }

    /** Samples given as timestamps and raw IEEE-754 bits, strictly increasing timestamps. */
    public static TestSeries of(Labels labels, long[] timestamps, long[] valueBits, int samplesPerChunk) {
        if (timestamps.length != valueBits.length) {
            throw new IllegalArgumentException("timestamps and values differ in length");
        }
        return new TestSeries(labels, timestamps.clone(), valueBits.clone(), samplesPerChunk);
    }

    /** A series with 120-sample chunks. */
    public static TestSeries of(Labels labels, long[] timestamps, double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return of(labels, timestamps, bits, 120);
    }

    @Override
    public byte encoding(int i) {
        return XorChunk.ENCODING;
    }

    @Override
    public Labels labels() {
        return labels;
    }

    @Override
    public int numChunks() {
        return chunks.size();
    }

    @Override
    public long minTime(int i) {
        return ranges.get(i)[0];
    }

    @Override
    public long maxTime(int i) {
        return ranges.get(i)[1];
    }

    @Override
    public byte[] data(int i) {
        return chunks.get(i);
    }

    public int numSamples() {
        return timestamps.length;
    }

    public long[] timestamps() {
        return timestamps.clone();
    }

    public long[] valueBits() {
        return valueBits.clone();
    }

    @Override
    public String toString() {
        return labels + " " + timestamps.length + " samples " + Arrays.toString(Arrays.copyOf(timestamps,
                Math.min(3, timestamps.length))) + "...";
    }
}
