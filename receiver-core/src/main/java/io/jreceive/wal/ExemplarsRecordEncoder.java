package io.jreceive.wal;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;

/**
 * Builds one {@link WalRecord#EXEMPLARS} record (Prometheus' {@code record.Exemplars}) in a caller-owned
 * {@link EncBuf}, one exemplar at a time: the first fixes {@code first_ref}/{@code first_t}, every exemplar (the
 * first included) is written as deltas against them, followed by its value bits and labels. A buffer with no
 * exemplars stays empty and is not logged.
 */
public final class ExemplarsRecordEncoder {
    private EncBuf buf;
    private long firstRef;
    private long firstT;
    private int count;

    /** Points this encoder at {@code buf} and clears it. */
    public ExemplarsRecordEncoder wrap(EncBuf buf) {
        this.buf = buf;
        buf.reset();
        count = 0;
        return this;
    }

    /** Appends series {@code ref}'s exemplar: its timestamp, raw value bits and own labels. */
    public void add(long ref, long t, long valueBits, Labels labels) {
        final EncBuf b = buf;
        if (count == 0) {
            b.putByte(WalRecord.EXEMPLARS);
            b.putBE64(ref);
            b.putBE64(t);
            firstRef = ref;
            firstT = t;
        }
        b.putVarint(ref - firstRef);
        b.putVarint(t - firstT);
        b.putBE64(valueBits);
        final int n = labels.size();
        b.putUvarint(n);
        for (int i = 0; i < n; i++) {
            b.putUvarintBytes(labels.name(i));
            b.putUvarintBytes(labels.value(i));
        }
        count++;
    }

    /** Number of exemplars added since {@link #wrap}. */
    public int count() {
        return count;
    }
}
