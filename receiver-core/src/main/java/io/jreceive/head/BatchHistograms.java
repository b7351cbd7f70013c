package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;

/**
 * The native histogram samples of one {@link WriteBatch}, in request order: per entry its batch series, timestamp
 * and either a {@link Histogram} or a {@link FloatHistogram}. Entries of one series are contiguous (a decoder adds
 * them while it decodes that series). Histograms are objects, unlike float samples: a histogram sample carries
 * dozens of buckets, so the object is small next to its data, and the float path stays untouched.
 */
public final class BatchHistograms {
    /** Entries kept between requests; more are released by {@link #trim()}. */
    public static final int RETAINED = 4 * 1024;

    private int count;
    private int[] series = new int[16];
    private long[] ts = new long[16];
    private Object[] values = new Object[16];

    void reset() {
        Arrays.fill(values, 0, count, null);
        count = 0;
    }

    /** Removes every entry (histograms that are not to be stored). */
    public void clear() {
        reset();
    }

    void trim() {
        if (series.length > RETAINED) {
            series = new int[16];
            ts = new long[16];
            values = new Object[16];
        }
    }

    /** Drops the entries of series {@code s} and later (a series the batch dropped while decoding). */
    void dropFrom(int s) {
        while (count > 0 && series[count - 1] >= s) {
            values[--count] = null;
        }
    }

    public void add(int s, long t, Histogram h) {
        put(s, t, h);
    }

    public void add(int s, long t, FloatHistogram h) {
        put(s, t, h);
    }

    private void put(int s, long t, Object h) {
        if (count == series.length) {
            int n = count * 2;
            series = Arrays.copyOf(series, n);
            ts = Arrays.copyOf(ts, n);
            values = Arrays.copyOf(values, n);
        }
        series[count] = s;
        ts[count] = t;
        values[count] = h;
        count++;
    }

    public int count() {
        return count;
    }

    /** The batch series of entry {@code i}. */
    public int series(int i) {
        return series[i];
    }

    public long timestamp(int i) {
        return ts[i];
    }

    /** Entry {@code i}'s integer histogram, or null when it is a float histogram. */
    public Histogram histogram(int i) {
        return values[i] instanceof Histogram h ? h : null;
    }

    /** Entry {@code i}'s float histogram, or null when it is an integer histogram. */
    public FloatHistogram floatHistogram(int i) {
        return values[i] instanceof FloatHistogram h ? h : null;
    }

    /**
     * The first entry of batch series {@code s}, or where it would be: the entries of {@code s} are those from here
     * on whose {@link #series} is {@code s} (entries are grouped by series in order).
     */
    public int first(int s) {
        return firstAtLeast(series, count, s);
    }

    /** The first index below {@code count} whose value in {@code sorted} (ascending) is at least {@code key}. */
    static int firstAtLeast(int[] sorted, int count, int key) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Adds entry {@code i} of {@code from} (the same histogram object, it is immutable) for batch series {@code s}. */
    void copy(BatchHistograms from, int i, int s) {
        put(s, from.ts[i], from.values[i]);
    }

    /** Whether any entry belongs to batch series {@code s} (entries are grouped by series in order). */
    boolean hasSeries(int s) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (series[mid] < s) {
                lo = mid + 1;
            } else if (series[mid] > s) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
