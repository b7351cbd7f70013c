package io.jreceive.wal;

import io.jreceive.encoding.EncBuf;

/**
 * Builds one {@link WalRecord#SAMPLES} record in a caller-owned {@link EncBuf}, one sample at a time. The first
 * sample fixes {@code first_ref}/{@code first_t}; every sample, the first included, is then written as deltas
 * against them. Reuse one instance per appender; nothing is allocated per sample. A buffer with no samples stays
 * empty and is not logged.
 */
public final class SamplesRecordEncoder {
    private EncBuf buf;
    private long firstRef;
    private long firstT;
    private int count;

    /** Points this encoder at {@code buf} and clears it. */
    public SamplesRecordEncoder wrap(EncBuf buf) {
        this.buf = buf;
        buf.reset();
        count = 0;
        return this;
    }

    /**
     * Appends one float sample.
     *
     * @param valueBits the value's raw IEEE-754 bits ({@code Double.doubleToRawLongBits}), kept exactly
     */
    public void add(long ref, long t, long valueBits) {
        final EncBuf b = buf;
        if (count == 0) {
            b.putByte(WalRecord.SAMPLES);
            b.putBE64(ref);
            b.putBE64(t);
            firstRef = ref;
            firstT = t;
        }
        b.putVarint(ref - firstRef);
        b.putVarint(t - firstT);
        b.putBE64(valueBits);
        count++;
    }

    /** Number of samples added since {@link #wrap}. */
    public int count() {
        return count;
    }
}
