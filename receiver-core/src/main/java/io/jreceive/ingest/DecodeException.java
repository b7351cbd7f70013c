package io.jreceive.ingest;

/**
 * A request body that is not a valid remote-write message: answered with 400 and this message, and counted in
 * {@code jreceive_decode_errors_total} under {@link #reason()}.
 */
public final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /** A malformed body: reason {@code snappy} if the message says so, else {@code protobuf}. */
    public DecodeException(String message) {
        this(message.startsWith("snappy") ? "snappy" : "protobuf", message);
    }

    public DecodeException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The {@code reason} label of the decode-error counter. */
    public String reason() {
        return reason;
    }
}
