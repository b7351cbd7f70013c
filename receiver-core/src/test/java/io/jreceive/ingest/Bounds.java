package io.jreceive.ingest;

import io.jreceive.head.WriteBatch;

/** The documented bounds of a decoded {@link WriteBatch}, for the fuzzers. */
final class Bounds {
    private Bounds() {
    }

    /** Fails unless {@code b}, decoded from {@code len} bytes, keeps at most one series, label, sample per 2 bytes. */
    static void check(WriteBatch b, int len) {
        int labels = 0;
        for (int s = 0; s < b.seriesCount(); s++) {
            if (b.labelCount(s) > RemoteWriteLimits.DEFAULT_MAX_LABELS) {
                throw new AssertionError("series " + s + " kept " + b.labelCount(s) + " labels");
            }
            labels += b.labelCount(s);
        }
        if (2L * b.seriesCount() > len || 2L * labels > len || 2L * b.sampleTotal() > len) {
            throw new AssertionError(len + " bytes kept " + b.seriesCount() + " series, " + labels + " labels, "
                    + b.sampleTotal() + " samples");
        }
    }
}
