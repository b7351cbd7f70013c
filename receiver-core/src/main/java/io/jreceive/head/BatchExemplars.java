package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.labels.Labels;

/**
 * The exemplars of one decoded remote-write request, beside its {@link WriteBatch}: per exemplar its batch series,
 * timestamp, raw value bits and labels (offsets into {@link #buf()}, the bytes they were decoded from). Empty until
 * a request carries exemplars, so a request without any costs nothing here. Reused per event-loop thread, as the
 * batch; {@link #trim()} gives back what one large request grew past {@link #RETAINED}.
 */
public final class BatchExemplars {
    /** Exemplar and label slots kept between requests; more are released by {@link #trim()}. */
    public static final int RETAINED = 16 * 1024;

    private byte[] buf;
    private int count;
    private int[] series = new int[0];
    private long[] ts = new long[0];
    private long[] vbits = new long[0];
    private int[] labelStart = new int[0];
    private int[] labelCount = new int[0];

    private int labelTotal;
    private int[] nameOff = new int[0];
    private int[] nameLen = new int[0];
    private int[] valueOff = new int[0];
    private int[] valueLen = new int[0];

    /** Clears the exemplars; their label offsets will point into {@code buf}. */
    void reset(byte[] buf) {
        this.buf = buf;
        count = 0;
        labelTotal = 0;
    }

    /** Releases arrays that grew past {@link #RETAINED} for one large request. */
    void trim() {
        buf = null;
        if (series.length > RETAINED) {
            series = new int[0];
            ts = new long[0];
            vbits = new long[0];
            labelStart = new int[0];
            labelCount = new int[0];
        }
        if (nameOff.length > RETAINED) {
            nameOff = new int[0];
            nameLen = new int[0];
            valueOff = new int[0];
            valueLen = new int[0];
        }
    }

    /** Opens an exemplar of batch series {@code s}; its labels follow, then {@link #end}. Returns its index. */
    public int begin(int s) {
        int e = count;
        if (e == series.length) {
            int n = Math.max(16, e * 2);
            series = Arrays.copyOf(series, n);
            ts = Arrays.copyOf(ts, n);
            vbits = Arrays.copyOf(vbits, n);
            labelStart = Arrays.copyOf(labelStart, n);
            labelCount = Arrays.copyOf(labelCount, n);
        }
        series[e] = s;
        labelStart[e] = labelTotal;
        labelCount[e] = 0;
        count = e + 1;
        return e;
    }

    /**
     * Adds a label to exemplar {@code e}, the one begun last. A label with an empty value is left out, as
     * Prometheus' {@code Labels.WithoutEmpty} does before storing an exemplar.
     */
    public void addLabel(int e, int nOff, int nLen, int vOff, int vLen) {
        if (vLen == 0) {
            return;
        }
        int i = labelTotal;
        if (i == nameOff.length) {
            int n = Math.max(16, i * 2);
            nameOff = Arrays.copyOf(nameOff, n);
            nameLen = Arrays.copyOf(nameLen, n);
            valueOff = Arrays.copyOf(valueOff, n);
            valueLen = Arrays.copyOf(valueLen, n);
        }
        nameOff[i] = nOff;
        nameLen[i] = nLen;
        valueOff[i] = vOff;
        valueLen[i] = vLen;
        labelTotal = i + 1;
        labelCount[e]++;
    }

    /** Sets exemplar {@code e}'s timestamp and raw value bits. */
    public void end(int e, long t, long valueBits) {
        ts[e] = t;
        vbits[e] = valueBits;
    }

    /** Drops the exemplars of batch series {@code s} and later ones ({@link WriteBatch#endSeries} dropped it). */
    void dropFrom(int s) {
        int c = count;
        while (c > 0 && series[c - 1] >= s) {
            c--;
        }
        if (c < count) {
            labelTotal = labelStart[c];
            count = c;
        }
    }

    /**
     * Copies exemplar {@code e} of {@code from} (another request's exemplars, e.g. before relabelling) as an exemplar
     * of batch series {@code s}; its labels keep pointing into {@code from}'s bytes, which must stay the same.
     */
    public void copy(BatchExemplars from, int e, int s) {
        buf = from.buf;
        int c = begin(s);
        for (int l = from.labelStart[e], to = l + from.labelCount[e]; l < to; l++) {
            addLabel(c, from.nameOff[l], from.nameLen[l], from.valueOff[l], from.valueLen[l]);
        }
        end(c, from.ts[e], from.vbits[e]);
    }

    /** The first exemplar of batch series {@code s} (or of a later one): exemplars are added in series order. */
    public int first(int s) {
        return BatchHistograms.firstAtLeast(series, count, s);
    }

    /** Exemplars in the request. */
    public int count() {
        return count;
    }

    /** The bytes the label offsets point into. */
    public byte[] buf() {
        return buf;
    }

    /** Batch series of exemplar {@code e}. */
    public int series(int e) {
        return series[e];
    }

    public long timestamp(int e) {
        return ts[e];
    }

    public long valueBits(int e) {
        return vbits[e];
    }

    /** Index of exemplar {@code e}'s first label, for {@link #nameOff} and the like; its labels are consecutive. */
    public int labelStart(int e) {
        return labelStart[e];
    }

    public int labelCount(int e) {
        return labelCount[e];
    }

    /** Offset in {@link #buf()} of label {@code l}'s name, as it arrived. */
    public int nameOff(int l) {
        return nameOff[l];
    }

    public int nameLen(int l) {
        return nameLen[l];
    }

    public int valueOff(int l) {
        return valueOff[l];
    }

    public int valueLen(int l) {
        return valueLen[l];
    }

    /** Exemplar {@code e}'s labels, sorted by name (a name given twice keeps its last value). */
    public Labels labels(int e) {
        final int from = labelStart[e];
        final int n = labelCount[e];
        if (n == 0) {
            return Labels.EMPTY;
        }
        Labels.Builder b = new Labels.Builder();
        for (int l = from; l < from + n; l++) {
            b.set(Arrays.copyOfRange(buf, nameOff[l], nameOff[l] + nameLen[l]),
                    Arrays.copyOfRange(buf, valueOff[l], valueOff[l] + valueLen[l]));
        }
        return b.build();
    }
}
