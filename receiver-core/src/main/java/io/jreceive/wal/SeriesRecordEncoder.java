package io.jreceive.wal;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;

/**
 * Builds one {@link WalRecord#SERIES} record in a caller-owned {@link EncBuf}, one series at a time. Reuse one
 * instance per appender: {@link #wrap} resets the buffer, {@link #add} appends an entry (the type byte is written
 * with the first entry, so a buffer with no series stays empty and is not logged). Nothing is allocated per call.
 */
public final class SeriesRecordEncoder {
    private EncBuf buf;
    private int count;

    /** Points this encoder at {@code buf} and clears it. */
    public SeriesRecordEncoder wrap(EncBuf buf) {
        this.buf = buf;
        buf.reset();
        count = 0;
        return this;
    }

    /** Appends the series {@code ref} with its label set. */
    public void add(long ref, Labels labels) {
        final EncBuf b = buf;
        if (count == 0) {
            b.putByte(WalRecord.SERIES);
        }
        b.putBE64(ref);
        final int n = labels.size();
        b.putUvarint(n);
        for (int i = 0; i < n; i++) {
            b.putUvarintBytes(labels.name(i));
            b.putUvarintBytes(labels.value(i));
        }
        count++;
    }

    /** Number of series added since {@link #wrap}. */
    public int count() {
        return count;
    }
}
