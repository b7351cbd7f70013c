package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.labels.Utf8;

/**
 * Checks the labels of one decoded series as Thanos' writer does (non-empty names and values, names strictly
 * increasing in byte order) plus UTF-8, and notes series without {@code __name__}.
 * The head runs it only for label sets it does not hold yet: a label set byte-identical to an existing series
 * passed these checks when that series was created, so the hot path skips them.
 */
public final class SeriesValidation {
    private static final byte[] METRIC_NAME = {'_', '_', 'n', 'a', 'm', 'e', '_', '_'};

    private SeriesValidation() {
    }

    /** Validates series {@code s} of {@code w}; returns the error (also recorded in the batch) or null. */
    public static SeriesError validate(WriteBatch w, int s) {
        final byte[] b = w.buf();
        final int from = w.labelStart(s);
        final int n = w.labelCount(s);
        if (n == 0) {
            return w.markError(s, SeriesError.EMPTY_LABEL);
        }
        boolean hasName = false;
        for (int i = from; i < from + n; i++) {
            int no = w.nameOff(i);
            int nl = w.nameLen(i);
            int vo = w.valueOff(i);
            int vl = w.valueLen(i);
            if (nl == 0 || vl == 0) {
                return w.markError(s, SeriesError.EMPTY_LABEL);
            }
            if (!Utf8.isValid(b, no, nl) || !Utf8.isValid(b, vo, vl)) {
                return w.markError(s, SeriesError.INVALID_UTF8);
            }
            if (i > from) {
                int c = Arrays.compareUnsigned(b, w.nameOff(i - 1), w.nameOff(i - 1) + w.nameLen(i - 1), b, no,
                        no + nl);
                if (c == 0) {
                    return w.markError(s, SeriesError.DUPLICATE_LABEL);
                }
                if (c > 0) {
                    return w.markError(s, SeriesError.OUT_OF_ORDER_LABELS);
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
        return null;
    }
}
