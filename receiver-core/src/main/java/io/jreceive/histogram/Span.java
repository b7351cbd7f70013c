package io.jreceive.histogram;

/**
 * A run of {@code length} consecutive buckets starting {@code offset} bucket indexes after the previous span's end
 * (after index 0 for the first span), as Prometheus' {@code histogram.Span}. Spans say which buckets a histogram's
 * bucket arrays fill; an offset may be negative only in the first span.
 */
public record Span(int offset, int length) {
    /** The number of buckets all spans cover together. */
    public static int count(Span[] spans) {
        int n = 0;
        for (Span s : spans) {
            n += s.length;
        }
        return n;
    }
}
