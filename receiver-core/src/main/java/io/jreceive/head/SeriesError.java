package io.jreceive.head;

/**
 * Why a series of a request was rejected before any of its samples were looked at. Each is answered as a conflict
 * (409, as Thanos), counted per reason in the response body, while the request's valid series are still written.
 */
public enum SeriesError {
    /** Thanos' {@code labelpb.ErrEmptyLabels}. */
    EMPTY_LABEL("label set contains a label with empty name or value"),
    /** Thanos' {@code labelpb.ErrDuplicateLabels}. */
    DUPLICATE_LABEL("label set contains duplicate label names"),
    /** Thanos' {@code labelpb.ErrOutOfOrderLabels}. */
    OUT_OF_ORDER_LABELS("out of order labels"),
    /** A label name or value that is not valid UTF-8 (proto3 strings must be). */
    INVALID_UTF8("label set contains invalid UTF-8");

    private final String message;

    SeriesError(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
