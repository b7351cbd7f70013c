package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.labels.Labels;

/**
 * One decoded remote-write request, as flat primitive arrays that point into the decoded body: per series its
 * labels (offset/length of each name and value in {@link #buf}) and its float samples (timestamps and raw value
 * bits); histograms and exemplars are only counted for the whole request. A decoder fills it; the head consumes
 * it. One instance is reused per event-loop thread, so steady-state decoding allocates nothing.
 */
public final class WriteBatch {
    /** The decoded request bytes that label offsets point into. */
    byte[] buf;

    int seriesCount;
    /** Per series: index of its first label in the label arrays, and label count. */
    int[] labelStart = new int[64];
    int[] labelCount = new int[64];
    /** Per series: index of its first sample and sample count. */
    int[] sampleStart = new int[64];
    int[] sampleCount = new int[64];
    /** Per series: a validation failure (a {@link SeriesError} ordinal + 1), or 0. */
    byte[] seriesError = new byte[64];

    int labelTotal;
    int[] nameOff = new int[256];
    int[] nameLen = new int[256];
    int[] valueOff = new int[256];
    int[] valueLen = new int[256];

    int sampleTotal;
    long[] ts = new long[1024];
    long[] vbits = new long[1024];

    int maxLabels = Integer.MAX_VALUE;
    int maxLabelBytes = Integer.MAX_VALUE;

    long histogramTotal;
    long exemplarTotal;
    int seriesWithoutName;

    public void reset(byte[] buf) {
        this.buf = buf;
        seriesCount = 0;
        labelTotal = 0;
        sampleTotal = 0;
        histogramTotal = 0;
        exemplarTotal = 0;
        seriesWithoutName = 0;
    }

    /** Opens a new series and returns its index. */
    public int beginSeries() {
        int s = seriesCount;
        if (s == labelStart.length) {
            int n = s * 2;
            labelStart = Arrays.copyOf(labelStart, n);
            labelCount = Arrays.copyOf(labelCount, n);
            sampleStart = Arrays.copyOf(sampleStart, n);
            sampleCount = Arrays.copyOf(sampleCount, n);
            seriesError = Arrays.copyOf(seriesError, n);
        }
        labelStart[s] = labelTotal;
        labelCount[s] = 0;
        sampleStart[s] = sampleTotal;
        sampleCount[s] = 0;
        seriesError[s] = 0;
        seriesCount = s + 1;
        return s;
    }

    public void addLabel(int series, int nOff, int nLen, int vOff, int vLen) {
        int i = labelTotal;
        if (i == nameOff.length) {
            int n = i * 2;
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
        labelCount[series]++;
    }

    public void addSample(int series, long t, long bits) {
        int i = sampleTotal;
        if (i == ts.length) {
            int n = i * 2;
            ts = Arrays.copyOf(ts, n);
            vbits = Arrays.copyOf(vbits, n);
        }
        ts[i] = t;
        vbits[i] = bits;
        sampleTotal = i + 1;
        sampleCount[series]++;
    }

    /** Records that series {@code series} is rejected for {@code e}; returns {@code e}. */
    public SeriesError markError(int series, SeriesError e) {
        if (seriesError[series] == 0) {
            seriesError[series] = (byte) (e.ordinal() + 1);
        }
        return e;
    }

    /** Sets the per-series label limits the head checks when a label set is new. */
    public void limits(int maxLabels, int maxLabelBytes) {
        this.maxLabels = maxLabels;
        this.maxLabelBytes = maxLabelBytes;
    }

    public int maxLabels() {
        return maxLabels;
    }

    public int maxLabelBytes() {
        return maxLabelBytes;
    }

    public int seriesCount() {
        return seriesCount;
    }

    public int sampleTotal() {
        return sampleTotal;
    }

    public long histogramTotal() {
        return histogramTotal;
    }

    public long exemplarTotal() {
        return exemplarTotal;
    }

    public int seriesWithoutName() {
        return seriesWithoutName;
    }

    public byte[] buf() {
        return buf;
    }

    public int labelStart(int s) {
        return labelStart[s];
    }

    public int labelCount(int s) {
        return labelCount[s];
    }

    public int sampleStart(int s) {
        return sampleStart[s];
    }

    public int sampleCount(int s) {
        return sampleCount[s];
    }

    /** The validation error of series {@code s}, or null if its labels are valid. */
    public SeriesError seriesError(int s) {
        int e = seriesError[s];
        return e == 0 ? null : SeriesError.values()[e - 1];
    }

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

    public long timestamp(int i) {
        return ts[i];
    }

    public long valueBits(int i) {
        return vbits[i];
    }

    /** Materialises the labels of series {@code s} (slow path: series creation and tests). */
    public Labels labels(int s) {
        int from = labelStart[s];
        int n = labelCount[s];
        byte[][] nv = new byte[n * 2][];
        for (int i = 0; i < n; i++) {
            int l = from + i;
            nv[2 * i] = Arrays.copyOfRange(buf, nameOff[l], nameOff[l] + nameLen[l]);
            nv[2 * i + 1] = Arrays.copyOfRange(buf, valueOff[l], valueOff[l] + valueLen[l]);
        }
        return Labels.wrapSorted(nv);
    }

    public void addHistogram() {
        histogramTotal++;
    }

    public void addExemplar() {
        exemplarTotal++;
    }

    public void countSeriesWithoutName() {
        seriesWithoutName++;
    }

}
