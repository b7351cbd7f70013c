package io.jreceive.wal;

import io.jreceive.encoding.EncBuf;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;

/**
 * Builds one batch's histogram records ({@link HistogramRecord}) as Prometheus' head does: exponential-schema
 * histograms into a type 7 (float: 8) record, custom-bucket ones into a type 9 (float: 10) record in a second
 * buffer. Log the first buffer, then the second, each only when its {@code *Count()} is above zero. One encoder
 * holds either integer or float histograms between two {@link #wrap}s.
 */
public final class HistogramRecordEncoder {
    private EncBuf plain;
    private EncBuf custom;
    private long baseRef;
    private long baseT;
    private long customBaseRef;
    private long customBaseT;
    private int plainCount;
    private int customCount;

    /** Points this encoder at two caller-owned buffers and clears them. */
    public HistogramRecordEncoder wrap(EncBuf plainBuf, EncBuf customBuf) {
        plain = plainBuf;
        custom = customBuf;
        plainBuf.reset();
        customBuf.reset();
        plainCount = 0;
        customCount = 0;
        return this;
    }

    public void add(long ref, long t, Histogram h) {
        if (Schemas.isCustomBuckets(h.schema())) {
            customHeader(HistogramRecord.CUSTOM_BUCKETS_HISTOGRAM_SAMPLES, ref, t, HistogramRecord.HISTOGRAM_SAMPLES);
            HistogramRecord.putEntry(custom, customBaseRef, customBaseT, ref, t, h);
            customCount++;
        } else {
            plainHeader(HistogramRecord.HISTOGRAM_SAMPLES, ref, t);
            HistogramRecord.putEntry(plain, baseRef, baseT, ref, t, h);
            plainCount++;
        }
    }

    public void add(long ref, long t, FloatHistogram h) {
        if (Schemas.isCustomBuckets(h.schema())) {
            customHeader(HistogramRecord.CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES, ref, t,
                    HistogramRecord.FLOAT_HISTOGRAM_SAMPLES);
            HistogramRecord.putEntry(custom, customBaseRef, customBaseT, ref, t, h);
            customCount++;
        } else {
            plainHeader(HistogramRecord.FLOAT_HISTOGRAM_SAMPLES, ref, t);
            HistogramRecord.putEntry(plain, baseRef, baseT, ref, t, h);
            plainCount++;
        }
    }

    /** Adds an integer or float histogram read in place (see {@link FlatHistogram}). */
    public void add(long ref, long t, FlatHistogram h) {
        if (Schemas.isCustomBuckets(h.schema())) {
            if (h.isFloat()) {
                customHeader(HistogramRecord.CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES, ref, t,
                        HistogramRecord.FLOAT_HISTOGRAM_SAMPLES);
            } else {
                customHeader(HistogramRecord.CUSTOM_BUCKETS_HISTOGRAM_SAMPLES, ref, t,
                        HistogramRecord.HISTOGRAM_SAMPLES);
            }
            HistogramRecord.putEntry(custom, customBaseRef, customBaseT, ref, t, h);
            customCount++;
        } else {
            plainHeader(h.isFloat() ? HistogramRecord.FLOAT_HISTOGRAM_SAMPLES : HistogramRecord.HISTOGRAM_SAMPLES,
                    ref, t);
            HistogramRecord.putEntry(plain, baseRef, baseT, ref, t, h);
            plainCount++;
        }
    }

    /** The batch's first histogram, custom or not, is the base of the plain record (as in Prometheus). */
    private void plainHeader(int type, long ref, long t) {
        if (plain.len() == 0) {
            HistogramRecord.putHeader(plain, type, ref, t);
            baseRef = ref;
            baseT = t;
        }
    }

    private void customHeader(int type, long ref, long t, int plainType) {
        plainHeader(plainType, ref, t);
        if (custom.len() == 0) {
            HistogramRecord.putHeader(custom, type, ref, t);
            customBaseRef = ref;
            customBaseT = t;
        }
    }

    /** Histograms in the plain (type 7/8) buffer; log it only when above zero. */
    public int plainCount() {
        return plainCount;
    }

    /** Histograms in the custom-bucket (type 9/10) buffer; log it only when above zero. */
    public int customCount() {
        return customCount;
    }
}
