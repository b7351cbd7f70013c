package io.jreceive.ingest;

import java.util.Arrays;

import io.jreceive.head.BatchHistograms;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

/**
 * Decodes one remote-write {@code Histogram} message (1.0's {@code prometheus.Histogram} and 2.0's
 * {@code io.prometheus.write.v2.Histogram} share every field number) into the batch's {@link BatchHistograms}:
 * {@code count_int = 1 | count_float = 2}, {@code sum = 3}, {@code schema = 4} (sint32), {@code zero_threshold = 5},
 * {@code zero_count_int = 6 | zero_count_float = 7}, {@code negative_spans = 8}, {@code negative_deltas = 9}
 * (sint64), {@code negative_counts = 10}, {@code positive_spans = 11}, {@code positive_deltas = 12},
 * {@code positive_counts = 13}, {@code reset_hint = 14}, {@code timestamp = 15}, {@code custom_values = 16};
 * {@code BucketSpan.offset = 1} (sint32), {@code length = 2}. Repeated scalars may be packed or not. A histogram
 * whose count is a float ({@code count_float}) is a float histogram, as Prometheus'
 * {@code IsFloatHistogram}; otherwise an integer histogram with delta-encoded buckets.
 */
final class HistogramProtoDecoder {
    /** Shared empty arrays (histograms are immutable): most histograms have no negative or custom buckets. */
    private static final Span[] NO_SPANS = new Span[0];
    private static final long[] NO_DELTAS = new long[0];
    private static final double[] NO_DOUBLES = new double[0];

    private final ProtoReader r = new ProtoReader();
    private final ProtoReader span = new ProtoReader();

    private long[] pDeltas = new long[16];
    private long[] nDeltas = new long[16];
    private double[] pCounts = new double[16];
    private double[] nCounts = new double[16];
    private double[] custom = new double[16];
    private Span[] pSpans = new Span[4];
    private Span[] nSpans = new Span[4];
    private int np;
    private int nn;
    private int npc;
    private int nnc;
    private int ncustom;
    private int nps;
    private int nns;

    /** Decodes the message in {@code buf[from, to)} and adds it to {@code out} for batch series {@code s}. */
    void decode(byte[] buf, int from, int to, BatchHistograms out, int s) {
        r.reset(buf, from, to);
        np = nn = npc = nnc = ncustom = nps = nns = 0;
        boolean isFloat = false;
        long countInt = 0;
        double countFloat = 0;
        long zeroInt = 0;
        double zeroFloat = 0;
        double sum = 0;
        int schema = 0;
        double zt = 0;
        int hint = 0;
        long t = 0;
        while (r.hasMore()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.count_int");
                    countInt = r.varint();
                    isFloat = false;
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Histogram.count_float");
                    countFloat = Double.longBitsToDouble(r.fixed64());
                    isFloat = true;
                }
                case 3 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Histogram.sum");
                    sum = Double.longBitsToDouble(r.fixed64());
                }
                case 4 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.schema");
                    schema = (int) unZigZag(r.varint());
                }
                case 5 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Histogram.zero_threshold");
                    zt = Double.longBitsToDouble(r.fixed64());
                }
                case 6 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.zero_count_int");
                    zeroInt = r.varint();
                }
                case 7 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Histogram.zero_count_float");
                    zeroFloat = Double.longBitsToDouble(r.fixed64());
                }
                case 8 -> nSpans = span(tag, nSpans, false);
                case 9 -> nDeltas = sint64s(tag, nDeltas, false);
                case 10 -> nCounts = doubles(tag, nCounts, 10);
                case 11 -> pSpans = span(tag, pSpans, true);
                case 12 -> pDeltas = sint64s(tag, pDeltas, true);
                case 13 -> pCounts = doubles(tag, pCounts, 13);
                case 14 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.reset_hint");
                    hint = (int) r.varint();
                }
                case 15 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.timestamp");
                    t = r.varint();
                }
                case 16 -> custom = doubles(tag, custom, 16);
                default -> r.skip(tag & 7);
            }
        }
        CounterResetHint h = CounterResetHint.of(hint);
        Span[] ps = nps == 0 ? NO_SPANS : Arrays.copyOf(pSpans, nps);
        Span[] ns = nns == 0 ? NO_SPANS : Arrays.copyOf(nSpans, nns);
        double[] cv = ncustom == 0 ? NO_DOUBLES : Arrays.copyOf(custom, ncustom);
        if (isFloat) {
            out.add(s, t, new FloatHistogram(h, schema, zt, zeroFloat, countFloat, sum, ps, copy(pCounts, npc),
                    ns, copy(nCounts, nnc), cv));
        } else {
            out.add(s, t, new Histogram(h, schema, zt, zeroInt, countInt, sum, ps, copy(pDeltas, np), ns,
                    copy(nDeltas, nn), cv));
        }
    }

    private static long[] copy(long[] a, int n) {
        return n == 0 ? NO_DELTAS : Arrays.copyOf(a, n);
    }

    private static double[] copy(double[] a, int n) {
        return n == 0 ? NO_DOUBLES : Arrays.copyOf(a, n);
    }

    private Span[] span(int tag, Span[] spans, boolean positive) {
        ProtoReader.expect(tag, ProtoReader.WIRE_LEN, positive ? "Histogram.positive_spans" : "Histogram.negative_spans");
        int n = r.len();
        span.reset(r.buf, r.pos, r.pos + n);
        r.pos += n;
        int offset = 0;
        long length = 0;
        while (span.hasMore()) {
            int t = span.tag();
            switch (t >>> 3) {
                case 1 -> {
                    ProtoReader.expect(t, ProtoReader.WIRE_VARINT, "BucketSpan.offset");
                    offset = (int) unZigZag(span.varint());
                }
                case 2 -> {
                    ProtoReader.expect(t, ProtoReader.WIRE_VARINT, "BucketSpan.length");
                    length = span.varint();
                }
                default -> span.skip(t & 7);
            }
        }
        int i = positive ? nps++ : nns++;
        if (i == spans.length) {
            spans = Arrays.copyOf(spans, i * 2);
        }
        spans[i] = new Span(offset, (int) length);
        return spans;
    }

    private long[] sint64s(int tag, long[] a, boolean positive) {
        int i = positive ? np : nn;
        if ((tag & 7) == ProtoReader.WIRE_LEN) {
            int n = r.len();
            int saved = r.limit;
            r.limit = r.pos + n; // a varint of the packed run may not reach into the next field
            while (r.hasMore()) {
                if (i == a.length) {
                    a = Arrays.copyOf(a, i * 2);
                }
                a[i++] = unZigZag(r.varint());
            }
            r.limit = saved;
        } else {
            ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Histogram.deltas");
            if (i == a.length) {
                a = Arrays.copyOf(a, i * 2);
            }
            a[i++] = unZigZag(r.varint());
        }
        if (positive) {
            np = i;
        } else {
            nn = i;
        }
        return a;
    }

    private double[] doubles(int tag, double[] a, int field) {
        int i = field == 13 ? npc : field == 10 ? nnc : ncustom;
        if ((tag & 7) == ProtoReader.WIRE_LEN) {
            int n = r.len();
            if ((n & 7) != 0) {
                throw new DecodeException("proto: packed doubles of " + n + " bytes at offset " + r.pos);
            }
            int end = r.pos + n;
            while (r.pos < end) {
                if (i == a.length) {
                    a = Arrays.copyOf(a, i * 2);
                }
                a[i++] = Double.longBitsToDouble(r.fixed64());
            }
        } else {
            ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Histogram.doubles");
            if (i == a.length) {
                a = Arrays.copyOf(a, i * 2);
            }
            a[i++] = Double.longBitsToDouble(r.fixed64());
        }
        if (field == 13) {
            npc = i;
        } else if (field == 10) {
            nnc = i;
        } else {
            ncustom = i;
        }
        return a;
    }

    private static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
