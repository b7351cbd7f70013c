package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.labels.Labels;

/**
 * One decoded remote-write request, as flat primitive arrays that point into the decoded body: per series its
 * labels (offset/length of each name and value in {@link #buf}) and its float samples (timestamps and raw value
 * bits); its exemplars in {@link #exemplars()}; histograms are only counted for the whole request. A decoder fills
 * it; the head consumes it. One instance is reused per event-loop thread, so steady-state decoding allocates nothing.
 *
 * <p>Memory: the arrays grow with the request (at most 17 bytes per series, 16 per stored label, 16 per sample,
 * each element taking at least 2 bytes of the decoded body) and {@link #trim()} gives back what grew past
 * {@link #RETAINED_SERIES}, {@link #RETAINED_LABELS} or {@link #RETAINED_SAMPLES} once the request is done, so one
 * large request does not pin its scratch space on the thread for good. A series whose labels are already known to
 * be invalid while decoding (an empty name or value, no labels) keeps no space: {@link #endSeries} drops it and only
 * counts its error, so a body of empty {@code Label{}} or {@code TimeSeries{}} messages cannot amplify.
 */
public final class WriteBatch {
    /** Series slots kept between requests; more are released by {@link #trim()}. */
    public static final int RETAINED_SERIES = 16 * 1024;
    /** Label slots kept between requests (16 bytes each). */
    public static final int RETAINED_LABELS = 128 * 1024;
    /** Sample slots kept between requests (16 bytes each). */
    public static final int RETAINED_SAMPLES = 64 * 1024;

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

    /** Series dropped while decoding ({@link #endSeries}), per {@link SeriesError} ordinal. */
    final int[] droppedErrors = new int[SeriesError.values().length];

    long histogramTotal;
    private final BatchHistograms histograms = new BatchHistograms();
    private final BatchExemplars exemplars = new BatchExemplars();
    int seriesWithoutName;

    public void reset(byte[] buf) {
        this.buf = buf;
        seriesCount = 0;
        labelTotal = 0;
        sampleTotal = 0;
        histogramTotal = 0;
        histograms.reset();
        exemplars.reset(buf);
        seriesWithoutName = 0;
        Arrays.fill(droppedErrors, 0);
    }

    /** Releases the arrays that grew past their retained sizes for one large request (see the class comment). */
    public void trim() {
        histograms.trim();
        buf = null;
        exemplars.trim();
        if (labelStart.length > RETAINED_SERIES) {
            labelStart = new int[64];
            labelCount = new int[64];
            sampleStart = new int[64];
            sampleCount = new int[64];
            seriesError = new byte[64];
        }
        if (nameOff.length > RETAINED_LABELS) {
            nameOff = new int[256];
            nameLen = new int[256];
            valueOff = new int[256];
            valueLen = new int[256];
        }
        if (ts.length > RETAINED_SAMPLES) {
            ts = new long[1024];
            vbits = new long[1024];
        }
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

    /**
     * Adds a label to series {@code series}. A label with an empty name or value makes the series invalid
     * ({@link SeriesError#EMPTY_LABEL}) and is not stored.
     */
    public void addLabel(int series, int nOff, int nLen, int vOff, int vLen) {
        if (nLen == 0 || vLen == 0) {
            markError(series, SeriesError.EMPTY_LABEL);
            return;
        }
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

    /**
     * Closes series {@code series}, the last one begun. A series already invalid (an empty label, or none at all) is
     * dropped with its labels and samples and only its error is counted, so it takes no space.
     */
    public void endSeries(int series) {
        if (labelCount[series] == 0) {
            markError(series, SeriesError.EMPTY_LABEL);
        }
        int e = seriesError[series];
        if (e != 0) {
            droppedErrors[e - 1]++;
            labelTotal = labelStart[series];
            sampleTotal = sampleStart[series];
            seriesCount = series;
            histograms.dropFrom(series);
            exemplars.dropFrom(series);
        }
    }

    /** Adds the errors of the series {@link #endSeries} dropped to {@code seriesErrors} (indexed by ordinal). */
    public void countDropped(int[] seriesErrors) {
        for (int i = 0; i < droppedErrors.length; i++) {
            seriesErrors[i] += droppedErrors[i];
        }
    }

    /** Takes over the dropped-series counts of {@code from} (a batch rebuilt from it, e.g. by relabelling). */
    public void carryDropped(WriteBatch from) {
        System.arraycopy(from.droppedErrors, 0, droppedErrors, 0, droppedErrors.length);
    }

    /** Whether {@link #endSeries} dropped any series of this request. */
    public boolean hasDropped() {
        for (int e : droppedErrors) {
            if (e != 0) {
                return true;
            }
        }
        return false;
    }

    /** Records that series {@code series} is rejected for {@code e}; returns {@code e}. */
    public SeriesError markError(int series, SeriesError e) {
        if (seriesError[series] == 0) {
            seriesError[series] = (byte) (e.ordinal() + 1);
        }
        return e;
    }

    public int seriesCount() {
        return seriesCount;
    }

    public int sampleTotal() {
        return sampleTotal;
    }

    /** The request's native histogram samples, by batch series. */
    public BatchHistograms histograms() {
        return histograms;
    }

    public long histogramTotal() {
        return histogramTotal;
    }

    public long exemplarTotal() {
        return exemplars.count();
    }

    /** The request's exemplars, by batch series. */
    public BatchExemplars exemplars() {
        return exemplars;
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

    /**
     * Appends series {@code s} of {@code in}, a batch over the same buffer, as a new series of this one: its labels
     * except the one at index {@code skipLabel} (-1 for none), its samples, histograms, exemplars and error mark. For
     * batches split out of one request (per tenant, per ring endpoint). Returns the new series; the caller ends it.
     */
    public int copySeries(WriteBatch in, int s, int skipLabel) {
        final int d = beginSeries();
        for (int l = in.labelStart[s], end = l + in.labelCount[s]; l < end; l++) {
            if (l != skipLabel) {
                addLabel(d, in.nameOff[l], in.nameLen[l], in.valueOff[l], in.valueLen[l]);
            }
        }
        for (int i = in.sampleStart[s], end = i + in.sampleCount[s]; i < end; i++) {
            addSample(d, in.ts[i], in.vbits[i]);
        }
        final BatchHistograms hs = in.histograms;
        for (int h = hs.first(s); h < hs.count() && hs.series(h) == s; h++) {
            histograms.copy(hs, h, d);
            histogramTotal++;
        }
        final BatchExemplars ex = in.exemplars;
        for (int e = ex.first(s); e < ex.count() && ex.series(e) == s; e++) {
            exemplars.copy(ex, e, d);
        }
        if (in.seriesError[s] != 0) {
            seriesError[d] = in.seriesError[s];
        }
        return d;
    }

    public void countSeriesWithoutName() {
        seriesWithoutName++;
    }

}
