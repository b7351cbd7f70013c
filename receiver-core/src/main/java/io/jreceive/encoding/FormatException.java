package io.jreceive.encoding;

/** Thrown when bytes do not follow the expected encoding; callers add the file name and turn it into corruption. */
public class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
