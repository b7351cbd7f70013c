package io.jreceive.histogram;

/**
 * Prometheus' {@code Histogram.Validate} and {@code FloatHistogram.Validate}: the checks a histogram must pass
 * before the head stores it. Returns null for a valid histogram, else Prometheus' reason.
 */
public final class HistogramValidation {
    private HistogramValidation() {
    }

    public static String validate(Histogram h) {
        String err = layout(h.schema(), h.zeroCount() != 0, h.zeroThreshold(), h.positiveSpans(),
                h.positiveBuckets().length, h.negativeSpans(), h.negativeBuckets().length, h.customValues());
        if (err != null) {
            return err;
        }
        err = deltas(h.negativeBuckets(), "negative side");
        if (err == null) {
            err = deltas(h.positiveBuckets(), "positive side");
        }
        if (err != null) {
            return err;
        }
        long sumOfBuckets = total(h.negativeBuckets()) + total(h.positiveBuckets()) + h.zeroCount();
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

    public static String validate(FloatHistogram h) {
        String err = layout(h.schema(), h.zeroCount() != 0, h.zeroThreshold(), h.positiveSpans(),
                h.positiveBuckets().length, h.negativeSpans(), h.negativeBuckets().length, h.customValues());
        if (err != null) {
            return err;
        }
        err = absolute(h.negativeBuckets(), "negative side");
        return err != null ? err : absolute(h.positiveBuckets(), "positive side");
    }

    private static String layout(int schema, boolean zeroCount, double zeroThreshold, Span[] pSpans, int pBuckets,
            Span[] nSpans, int nBuckets, double[] custom) {
        if (Schemas.isCustomBuckets(schema)) {
            String err = customBounds(custom, pSpans, pBuckets);
            if (err != null) {
                return "custom buckets: " + err;
            }
            if (zeroCount) {
                return "custom buckets: must have zero count of 0";
            }
            if (zeroThreshold != 0) {
                return "custom buckets: must have zero threshold of 0";
            }
            if (nSpans.length > 0) {
                return "custom buckets: must not have negative spans";
            }
            if (nBuckets > 0) {
                return "custom buckets: must not have negative buckets";
            }
            return null;
        }
        if (schema < Schemas.EXPONENTIAL_MIN || schema > Schemas.EXPONENTIAL_MAX) {
            return "histogram has an invalid schema, which must be between " + Schemas.EXPONENTIAL_MIN + " and "
                    + Schemas.EXPONENTIAL_MAX + " for exponential buckets, or " + Schemas.CUSTOM_BUCKETS
                    + " for custom buckets";
        }
        String err = spans(pSpans, pBuckets);
        if (err != null) {
            return "positive side: " + err;
        }
        err = spans(nSpans, nBuckets);
        if (err != null) {
            return "negative side: " + err;
        }
        return custom.length > 0 ? "histogram with exponential schema must not have custom bounds" : null;
    }

    private static String spans(Span[] spans, int numBuckets) {
        long n = 0;
        for (int i = 0; i < spans.length; i++) {
            if (i > 0 && spans[i].offset() < 0) {
                return "span number " + (i + 1) + " with offset " + spans[i].offset()
                        + ": histogram has a span whose offset is negative";
            }
            n += Integer.toUnsignedLong(spans[i].length());
        }
        return n == numBuckets ? null : "spans need " + n + " buckets, have " + numBuckets
                + " buckets: histogram spans specify different number of buckets than provided";
    }

    private static String customBounds(double[] bounds, Span[] spans, int numBuckets) {
        double prev = Double.NEGATIVE_INFINITY;
        for (double b : bounds) {
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
        for (int i = 0; i < spans.length; i++) {
            if (spans[i].offset() < 0) {
                return "span number " + (i + 1) + " with offset " + spans[i].offset()
                        + ": histogram has a span whose offset is negative";
            }
            n += Integer.toUnsignedLong(spans[i].length());
            total += Integer.toUnsignedLong(spans[i].length()) + spans[i].offset();
        }
        if (n != numBuckets) {
            return "spans need " + n + " buckets, have " + numBuckets
                    + " buckets: histogram spans specify different number of buckets than provided";
        }
        if (bounds.length + 1 < total) {
            return "only " + bounds.length + " custom bounds defined which is insufficient to cover total span length"
                    + " of " + total + ": histogram custom bounds are too few";
        }
        return null;
    }

    private static String deltas(long[] buckets, String side) {
        long last = 0;
        for (int i = 0; i < buckets.length; i++) {
            long c = last + buckets[i];
            if (c < 0) {
                return side + ": bucket number " + (i + 1) + " has observation count of " + c
                        + ": histogram has a bucket whose observation count is negative";
            }
            last = c;
        }
        return null;
    }

    /** The sum of the absolute counts of delta-encoded {@code buckets}. */
    private static long total(long[] buckets) {
        long last = 0;
        long sum = 0;
        for (long d : buckets) {
            last += d;
            sum += last;
        }
        return sum;
    }

    private static String absolute(double[] buckets, String side) {
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] < 0) {
                return side + ": bucket number " + (i + 1) + " has observation count of " + buckets[i]
                        + ": histogram has a bucket whose observation count is negative";
            }
        }
        return null;
    }
}
