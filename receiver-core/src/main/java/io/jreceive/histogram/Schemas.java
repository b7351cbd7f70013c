package io.jreceive.histogram;

/**
 * Histogram schema numbers, as Prometheus' {@code model/histogram}: exponential schemas -4 to 8 (bucket boundaries
 * at powers of {@code 2^(2^-schema)}), the reserved range -9 to 52 that readers accept and writers may not produce
 * yet, and {@value #CUSTOM_BUCKETS} for histograms with explicit ("custom") upper bounds, the native form of a
 * classic histogram.
 */
public final class Schemas {
    public static final int EXPONENTIAL_MIN = -4;
    public static final int EXPONENTIAL_MAX = 8;
    public static final int EXPONENTIAL_MIN_RESERVED = -9;
    public static final int EXPONENTIAL_MAX_RESERVED = 52;
    /** {@code histogram.CustomBucketsSchema}. */
    public static final int CUSTOM_BUCKETS = -53;

    private Schemas() {
    }

    public static boolean isCustomBuckets(int schema) {
        return schema == CUSTOM_BUCKETS;
    }

    /** A schema a writer may produce. */
    public static boolean isValid(int schema) {
        return schema == CUSTOM_BUCKETS || (schema >= EXPONENTIAL_MIN && schema <= EXPONENTIAL_MAX);
    }

    /** A schema a reader accepts (a newer writer's higher resolutions included). */
    public static boolean isKnown(int schema) {
        return schema == CUSTOM_BUCKETS || (schema >= EXPONENTIAL_MIN_RESERVED && schema <= EXPONENTIAL_MAX_RESERVED);
    }

    /** Custom bounds equal bit for bit, as {@code histogram.FloatBucketsMatch}. */
    public static boolean boundsMatch(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                return false;
            }
        }
        return true;
    }
}
