package io.jreceive.ingest;

/** A request body that is not a valid remote-write message: answered with 400 and this message. */
public final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message) {
        super(message, null, false, false);
    }
}
