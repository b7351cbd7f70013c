package io.jreceive.ingest;

/**
 * A routed write that did not succeed, with the HTTP status the sender gets (409 conflict, 503 a replica was not
 * available, 400 a bad replica, 500 anything else) and the text of the answer's body.
 */
public final class RoutedWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public RoutedWriteException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
