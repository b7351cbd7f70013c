package io.jreceive.ingest;

import java.util.Arrays;

import io.jreceive.head.SeriesError;
import io.jreceive.head.WriteBatch;

/**
 * Checks the labels of one decoded series as Thanos' writer does (non-empty names and values, names strictly
 * increasing in byte order) plus UTF-8 and the size limits, and notes series without {@code __name__}. Shared by
 * the 1.0 and 2.0 decoders so both reject exactly the same label sets.
 */
final class LabelValidator {
    private static final byte[] METRIC_NAME = {'_', '_', 'n', 'a', 'm', 'e', '_', '_'};

    private LabelValidator() {
    }

    static void validate(WriteBatch w, int s, RemoteWriteLimits limits) {
        final byte[] b = w.buf();
        final int from = w.labelStart(s);
        final int n = w.labelCount(s);
        if (n == 0) {
            w.markError(s, SeriesError.EMPTY_LABEL);
            return;
        }
        if (n > limits.maxLabelsPerSeries()) {
            w.markError(s, SeriesError.TOO_MANY_LABELS);
            return;
        }
        boolean hasName = false;
        for (int i = from; i < from + n; i++) {
            int no = w.nameOff(i);
            int nl = w.nameLen(i);
            int vo = w.valueOff(i);
            int vl = w.valueLen(i);
            if (nl == 0 || vl == 0) {
                w.markError(s, SeriesError.EMPTY_LABEL);
                return;
            }
            if (nl > limits.maxLabelBytes() || vl > limits.maxLabelBytes()) {
                w.markError(s, SeriesError.LABEL_TOO_LONG);
                return;
            }
            if (!Utf8.isValid(b, no, nl) || !Utf8.isValid(b, vo, vl)) {
                w.markError(s, SeriesError.INVALID_UTF8);
                return;
            }
            if (i > from) {
                int c = Arrays.compareUnsigned(b, w.nameOff(i - 1), w.nameOff(i - 1) + w.nameLen(i - 1), b, no,
                        no + nl);
                if (c == 0) {
                    w.markError(s, SeriesError.DUPLICATE_LABEL);
                    return;
                }
                if (c > 0) {
                    w.markError(s, SeriesError.OUT_OF_ORDER_LABELS);
                    return;
                }
            }
            if (!hasName && nl == METRIC_NAME.length
                    && Arrays.equals(b, no, no + nl, METRIC_NAME, 0, METRIC_NAME.length)) {
                hasName = true;
            }
        }
        if (!hasName) {
            w.countSeriesWithoutName();
        }
    }
}
