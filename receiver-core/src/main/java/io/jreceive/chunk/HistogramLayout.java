package io.jreceive.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;

/**
 * The bucket layout a histogram chunk's first sample writes before its values, shared by the integer and float
 * histogram chunks (Prometheus' {@code histogram_meta.go}); every later sample of the chunk has this layout.
 *
 * <pre>
 *  zero threshold   1 byte: 0 -> 0.0;  1..254 -> 2^(b-243-1) (a power of two 2^-243 .. 2^10);
 *                   255 -> then 64 bits of the float64
 *  schema           varbit int
 *  positive spans   varbit uint count, then per span: varbit uint length, varbit int offset
 *  negative spans   the same
 *  custom bounds    only for schema -53: varbit uint count, then per bound either
 *                   varbit uint (bound*1000 + 1) when bound*1000 is a whole number in 0 .. 33554430,
 *                   or a 0 bit (varbit uint 0) and 64 bits of the float64
 * </pre>
 */
record HistogramLayout(int schema, double zeroThreshold, Span[] positiveSpans, Span[] negativeSpans,
        double[] customValues) {

    /** Zero-threshold byte: threshold 0. */
    static final int ZERO_THRESHOLD_ZERO = 0;
    /** Zero-threshold byte: a full float64 follows. */
    static final int ZERO_THRESHOLD_FULL = 255;
    /** Added to the binary exponent (of the {@code 0.5 * 2^exp} form) of a power-of-two threshold. */
    static final int ZERO_THRESHOLD_BIAS = 243;
    /** Largest {@code bound*1000} written as a varbit (the 4-byte varbit limit minus the +1). */
    static final double CUSTOM_BOUND_MAX_MILLIS = 33554430;

    static final Span[] NO_SPANS = new Span[0];
    static final double[] NO_VALUES = new double[0];

    /**
     * Span arrays handed out by {@link #shared}, by hash: a few recent layouts. Never written to after they are
     * published here, so open chunks of the same layout (most of a tenant's series) hold one array and its spans.
     */
    private static final AtomicReferenceArray<Span[]> SHARED = new AtomicReferenceArray<>(256);

    /**
     * An array equal to {@code spans} that its holder must never modify, shared with other holders of the same
     * spans: a chunk keeps its layout's spans for as long as it is open, 48 bytes a series at one span each.
     */
    static Span[] shared(Span[] spans) {
        if (spans.length == 0) {
            return NO_SPANS;
        }
        final int h = Arrays.hashCode(spans);
        final int i = (h ^ (h >>> 16)) & (SHARED.length() - 1);
        Span[] s = SHARED.get(i);
        if (s == null || !Arrays.equals(s, spans)) {
            s = spans.clone();
            SHARED.set(i, s);
        }
        return s;
    }

    void write(BitWriter b) {
        putZeroThreshold(b, zeroThreshold);
        Varbit.putInt(b, schema);
        putSpans(b, positiveSpans);
        putSpans(b, negativeSpans);
        if (Schemas.isCustomBuckets(schema)) {
            Varbit.putUint(b, customValues.length);
            for (double v : customValues) {
                putCustomBound(b, v);
            }
        }
    }

    static HistogramLayout read(BitReader r) {
        double zt = readZeroThreshold(r);
        int schema = (int) Varbit.readInt(r);
        Span[] p = readSpans(r);
        Span[] n = readSpans(r);
        double[] custom = NO_VALUES;
        if (Schemas.isCustomBuckets(schema)) {
            int num = checkedCount(Varbit.readUint(r));
            custom = new double[num];
            for (int i = 0; i < num; i++) {
                custom[i] = readCustomBound(r);
            }
        }
        return new HistogramLayout(schema, zt, p, n, custom);
    }

    private static void putSpans(BitWriter b, Span[] spans) {
        Varbit.putUint(b, spans.length);
        for (Span s : spans) {
            Varbit.putUint(b, Integer.toUnsignedLong(s.length()));
            Varbit.putInt(b, s.offset());
        }
    }

    private static Span[] readSpans(BitReader r) {
        int num = checkedCount(Varbit.readUint(r));
        if (num == 0) {
            return NO_SPANS;
        }
        List<Span> spans = new ArrayList<>(Math.min(num, 64));
        for (int i = 0; i < num; i++) {
            int length = (int) Varbit.readUint(r);
            int offset = (int) Varbit.readInt(r);
            spans.add(new Span(offset, length));
        }
        return spans.toArray(NO_SPANS);
    }

    /** A count read from a chunk, bounded so that a corrupt one fails as a format error and not as an allocation. */
    private static int checkedCount(long n) {
        if (n < 0 || n > 1 << 16) {
            throw new io.jreceive.encoding.FormatException("histogram chunk layout count out of range: " + n);
        }
        return (int) n;
    }

    static void putZeroThreshold(BitWriter b, double threshold) {
        if (threshold == 0) {
            b.writeByte(ZERO_THRESHOLD_ZERO);
            return;
        }
        // Go's math.Frexp: threshold = frac * 2^exp with frac in [0.5, 1); a power of two has frac 0.5.
        int exp = Math.getExponent(threshold) + 1;
        boolean powerOfTwo = threshold > 0 && Double.isFinite(threshold) && threshold >= Double.MIN_NORMAL
                && (Double.doubleToRawLongBits(threshold) & 0x000F_FFFF_FFFF_FFFFL) == 0;
        if (!powerOfTwo || exp < -242 || exp > 11) {
            b.writeByte(ZERO_THRESHOLD_FULL);
            b.writeBits(Double.doubleToRawLongBits(threshold), 64);
            return;
        }
        b.writeByte(exp + ZERO_THRESHOLD_BIAS);
    }

    static double readZeroThreshold(BitReader r) {
        int v = r.readByte();
        if (v == ZERO_THRESHOLD_ZERO) {
            return 0;
        }
        if (v == ZERO_THRESHOLD_FULL) {
            return Double.longBitsToDouble(r.readBits(64));
        }
        return Math.scalb(0.5, v - ZERO_THRESHOLD_BIAS);
    }

    static void putCustomBound(BitWriter b, double f) {
        double tf = f * 1000;
        if (tf < 0 || tf > CUSTOM_BOUND_MAX_MILLIS || !wholeWhenMultiplied(f)) {
            b.writeBit(false);
            b.writeBits(Double.doubleToRawLongBits(f), 64);
            return;
        }
        Varbit.putUint(b, Math.round(tf) + 1);
    }

    static double readCustomBound(BitReader r) {
        long v = Varbit.readUint(r);
        if (v == 0) {
            return Double.longBitsToDouble(r.readBits(64));
        }
        return (double) (v - 1) / 1000;
    }

    /** Go's {@code isWholeWhenMultiplied}: {@code uint(round(f*1000)) / 1000 == f}. */
    private static boolean wholeWhenMultiplied(double f) {
        long i = Math.round(f * 1000);
        return (double) i / 1000 == f;
    }
}
