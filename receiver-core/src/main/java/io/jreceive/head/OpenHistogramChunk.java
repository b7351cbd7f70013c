package io.jreceive.head;

import io.jreceive.chunk.FloatHistogramAppender;
import io.jreceive.chunk.FloatHistogramChunk;
import io.jreceive.chunk.HistogramAppend;
import io.jreceive.chunk.HistogramAppender;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;

/**
 * A head series' open histogram chunk (integer or float) with Prometheus' head cutting rules for histograms
 * ({@code histogramsAppendPreprocessor}): a chunk is cut by size ({@link HistogramChunk#TARGET_BYTES}, with an end
 * time predicted once a quarter full) but not before {@link HistogramChunk#MIN_SAMPLES} samples unless the chunk
 * range ends; the appender's own rules (counter reset, layout change) cut too. The previous appender is passed to
 * a chunk cut here, so its counter-reset header is the one Prometheus writes.
 */
final class OpenHistogramChunk {
    /** One of the two is set. */
    private HistogramAppender ints;
    private FloatHistogramAppender floats;
    private final byte encoding;
    long openMint;
    private long nextAt;
    private boolean computedEndTime;
    /**
     * The newest sample, to tell an identical resend (ignored) from a conflicting one (a duplicate). An integer
     * chunk's appender usually holds it as it came ({@link HistogramAppender#holdsAsNewest}), and then only its hint
     * is kept here; otherwise (float chunks, a sample widened into the chunk's layout, a stale marker) a copy,
     * made on first need and passed on to the chunk that follows this one, so a series keeps one at most.
     */
    private LastHistogram last;
    private CounterResetHint lastHint;
    private boolean lastInAppender;
    private long lastT;

    private OpenHistogramChunk(byte encoding) {
        this.encoding = encoding;
    }

    /** The encoding a sample needs: {@link HistogramChunk#ENCODING} or {@link FloatHistogramChunk#ENCODING}. */
    static byte encodingOf(FlatHistogram h) {
        return h.isFloat() ? FloatHistogramChunk.ENCODING : HistogramChunk.ENCODING;
    }

    /**
     * A new open chunk holding {@code h} at {@code t}; {@code prev} is the chunk it follows (same encoding, its bytes
     * stored, not used afterwards: an integer chunk takes over its buffer) or null.
     */
    static OpenHistogramChunk start(long t, FlatHistogram h, long chunkRange, OpenHistogramChunk prev) {
        OpenHistogramChunk c = new OpenHistogramChunk(encodingOf(h));
        c.openMint = t;
        c.nextAt = BlockRanges.rangeEnd(t, chunkRange);
        if (h.isFloat()) {
            c.floats = new FloatHistogramAppender();
            c.floats.append(prev == null ? null : prev.floats, t, h.toFloatHistogram());
        } else if (prev != null) {
            c.ints = prev.ints.cut(t, h.toHistogram());
        } else {
            c.ints = new HistogramAppender();
            c.ints.append(null, t, h);
        }
        c.last = prev == null ? null : prev.last;
        c.noteLast(t, h);
        return c;
    }

    /** Notes {@code h} at {@code t}, just appended, as the newest sample. */
    private void noteLast(long t, FlatHistogram h) {
        lastT = t;
        lastHint = h.hint();
        lastInAppender = ints != null && ints.holdsAsNewest(h);
        if (!lastInAppender) {
            if (last == null) {
                last = new LastHistogram();
            }
            last.set(h);
        }
    }

    byte encoding() {
        return encoding;
    }

    long lastTimestamp() {
        return lastT;
    }

    /** Whether {@code h} is the same sample as the newest one (an identical resend). */
    boolean sameAsLast(FlatHistogram h) {
        return lastInAppender ? h.hint() == lastHint && ints.newestEquals(h) : last.matches(h);
    }

    int numSamples() {
        return ints != null ? ints.numSamples() : floats.numSamples();
    }

    int sizeBytes() {
        return ints != null ? ints.sizeBytes() : floats.sizeBytes();
    }

    byte[] bytes() {
        return ints != null ? ints.bytes() : floats.bytes();
    }

    /** The chunk's bytes in place, the first {@link #sizeBytes()} of them; not to be kept. */
    byte[] buffer() {
        return ints != null ? ints.buffer() : floats.buffer();
    }

    /**
     * Whether the head must cut a new chunk before {@code t} (size or time), as Prometheus'
     * {@code histogramsAppendPreprocessor}; records the predicted end time on the way.
     */
    boolean mustCut(long t, long chunkRange) {
        int numSamples = numSamples();
        int numBytes = sizeBytes();
        long nextChunkRangeStart = computedEndTime ? BlockRanges.rangeEnd(openMint, chunkRange) : nextAt;
        if (!computedEndTime && numBytes >= HistogramChunk.TARGET_BYTES / 4) {
            double ratioToFull = (double) HistogramChunk.TARGET_BYTES / numBytes;
            nextAt = MemSeries.computeChunkEndTime(openMint, lastT, nextAt, ratioToFull);
            computedEndTime = true;
        }
        return (t >= nextAt || numBytes >= HistogramChunk.TARGET_BYTES * 2)
                && (numSamples >= HistogramChunk.MIN_SAMPLES || t >= nextChunkRangeStart);
    }

    /**
     * Appends {@code h} (of this chunk's encoding) at {@code t}; returns the chunk that holds it: this one, or a new
     * one the appender cut (counter reset, layout change), whose predecessor (this) the caller closes.
     */
    OpenHistogramChunk append(long t, FlatHistogram h, long chunkRange) {
        if (h.isFloat()) {
            // Float histograms (recording rules' output, rare in remote write) still append as objects.
            HistogramAppend<FloatHistogramAppender> r = floats.append(null, t, h.toFloatHistogram());
            if (r.newChunk()) {
                return successor(t, h, chunkRange, null, r.appender());
            }
            floats = r.appender();
        } else if (ints.appendContinuing(t, h)) {
            noteLast(t, h);
            return this;
        } else {
            HistogramAppend<HistogramAppender> r = ints.append(null, t, h.toHistogram());
            if (r.newChunk()) {
                return successor(t, h, chunkRange, r.appender(), null);
            }
            ints = r.appender();
        }
        noteLast(t, h);
        return this;
    }

    /** The chunk an appender started: Prometheus sets its next cut to the range end and keeps the end-time flag. */
    private OpenHistogramChunk successor(long t, FlatHistogram h, long chunkRange, HistogramAppender i,
            FloatHistogramAppender f) {
        OpenHistogramChunk c = new OpenHistogramChunk(encoding);
        c.ints = i;
        c.floats = f;
        c.openMint = t;
        c.nextAt = BlockRanges.rangeEnd(t, chunkRange);
        c.computedEndTime = computedEndTime;
        c.last = last;
        c.noteLast(t, h);
        return c;
    }
}
