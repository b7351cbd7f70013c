package io.jreceive.histogram;

/**
 * Prometheus' {@code Histogram.Validate} and {@code FloatHistogram.Validate}: the checks a histogram must pass
 * before the head stores it. Returns null for a valid histogram, else Prometheus' reason. Reads the sample in
 * place ({@link FlatHistogram}), as the head appends it; {@link FlatHistogram#copyOf} checks an object.
 */
public final class HistogramValidation {
    private HistogramValidation() {
    }

    /** Validates an integer or float histogram read in place (see {@link FlatHistogram}). */
    public static String validate(FlatHistogram h) {
        String err = layout(h);
        if (err != null) {
            return err;
        }
        int np = h.positiveBuckets();
        int nn = h.negativeBuckets();
        if (h.isFloat()) {
            err = absolute(h, np, nn, "negative side");
            return err != null ? err : absolute(h, 0, np, "positive side");
        }
        err = deltas(h, np, nn, "negative side");
        if (err == null) {
            err = deltas(h, 0, np, "positive side");
        }
        if (err != null) {
            return err;
        }
        long sumOfBuckets = total(h, np, nn) + total(h, 0, np) + h.zeroCount();
        if (Double.isNaN(h.sum())) {
            if (Long.compareUnsigned(sumOfBuckets, h.count()) > 0) {
                return Long.toUnsignedString(sumOfBuckets) + " observations found in buckets, but the Count field is "
                        + Long.toUnsignedString(h.count()) + ": histogram's observation count should be at least the "
                        + "number of observations found in the buckets";
            }
        } else if (sumOfBuckets != h.count()) {
            return Long.toUnsignedString(sumOfBuckets) + " observations found in buckets, but the Count field is "
                    + Long.toUnsignedString(h.count()) + ": histogram's observation count should equal the number of "
                    + "observations found in the buckets (in absence of NaN)";
        }
        return null;
    }

    /** Zero counts of float histograms are compared as doubles ({@code -0.0} is no zero count). */
    private static boolean hasZeroCount(FlatHistogram h) {
        return h.isFloat() ? Double.longBitsToDouble(h.zeroCount()) != 0 : h.zeroCount() != 0;
    }

    private static String layout(FlatHistogram h) {
        final int schema = h.schema();
        final int nps = h.positiveSpans();
        if (Schemas.isCustomBuckets(schema)) {
            String err = customBounds(h, nps, h.positiveBuckets());
            if (err != null) {
                return "custom buckets: " + err;
            }
            if (hasZeroCount(h)) {
                return "custom buckets: must have zero count of 0";
            }
            if (h.zeroThreshold() != 0) {
                return "custom buckets: must have zero threshold of 0";
            }
            if (h.negativeSpans() > 0) {
                return "custom buckets: must not have negative spans";
            }
            if (h.negativeBuckets() > 0) {
                return "custom buckets: must not have negative buckets";
            }
            return null;
        }
        if (schema < Schemas.EXPONENTIAL_MIN || schema > Schemas.EXPONENTIAL_MAX) {
            return "histogram has an invalid schema, which must be between " + Schemas.EXPONENTIAL_MIN + " and "
                    + Schemas.EXPONENTIAL_MAX + " for exponential buckets, or " + Schemas.CUSTOM_BUCKETS
                    + " for custom buckets";
        }
        String err = spans(h, 0, nps, h.positiveBuckets());
        if (err != null) {
            return "positive side: " + err;
        }
        err = spans(h, nps, h.negativeSpans(), h.negativeBuckets());
        if (err != null) {
            return "negative side: " + err;
        }
        return h.customValues() > 0 ? "histogram with exponential schema must not have custom bounds" : null;
    }

    /** Checks spans {@code [from, from + n)} of {@code h} against {@code numBuckets}. */
    private static String spans(FlatHistogram h, int from, int n, int numBuckets) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            int offset = h.spanOffset(from + i);
            if (i > 0 && offset < 0) {
                return "span number " + (i + 1) + " with offset " + offset
                        + ": histogram has a span whose offset is negative";
            }
            total += Integer.toUnsignedLong(h.spanLength(from + i));
        }
        return total == numBuckets ? null : "spans need " + total + " buckets, have " + numBuckets
                + " buckets: histogram spans specify different number of buckets than provided";
    }

    private static String customBounds(FlatHistogram h, int nSpans, int numBuckets) {
        final int nBounds = h.customValues();
        double prev = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < nBounds; j++) {
            double b = h.customValue(j);
            if (!(b > prev)) {
                return "previous bound is " + prev + " and current is " + b
                        + ": histogram custom bounds must be in strictly increasing order";
            }
            prev = b;
        }
        if (prev == Double.POSITIVE_INFINITY) {
            return "last +Inf bound must not be explicitly defined: histogram custom bounds must be finite";
        }
        long n = 0;
        long total = 0;
        for (int i = 0; i < nSpans; i++) {
            int offset = h.spanOffset(i);
            if (offset < 0) {
                return "span number " + (i + 1) + " with offset " + offset
                        + ": histogram has a span whose offset is negative";
            }
            n += Integer.toUnsignedLong(h.spanLength(i));
            total += Integer.toUnsignedLong(h.spanLength(i)) + offset;
        }
        if (n != numBuckets) {
            return "spans need " + n + " buckets, have " + numBuckets
                    + " buckets: histogram spans specify different number of buckets than provided";
        }
        if (nBounds + 1 < total) {
            return "only " + nBounds + " custom bounds defined which is insufficient to cover total span length"
                    + " of " + total + ": histogram custom bounds are too few";
        }
        return null;
    }

    /** Checks the delta-encoded buckets {@code [from, from + n)} of {@code h}. */
    private static String deltas(FlatHistogram h, int from, int n, String side) {
        long last = 0;
        for (int i = 0; i < n; i++) {
            long c = last + h.bucket(from + i);
            if (c < 0) {
                return side + ": bucket number " + (i + 1) + " has observation count of " + c
                        + ": histogram has a bucket whose observation count is negative";
            }
            last = c;
        }
        return null;
    }

    /** The sum of the absolute counts of the delta-encoded buckets {@code [from, from + n)}. */
    private static long total(FlatHistogram h, int from, int n) {
        long last = 0;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            last += h.bucket(from + i);
            sum += last;
        }
        return sum;
    }

    private static String absolute(FlatHistogram h, int from, int n, String side) {
        for (int i = 0; i < n; i++) {
            double c = Double.longBitsToDouble(h.bucket(from + i));
            if (c < 0) {
                return side + ": bucket number " + (i + 1) + " has observation count of " + c
                        + ": histogram has a bucket whose observation count is negative";
            }
        }
        return null;
    }
}
