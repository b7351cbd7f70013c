package io.jreceive.objstore;

/**
 * An objstore configuration that cannot be used: not YAML, an unknown key (named with its path), a value of the
 * wrong kind, or a missing required setting. The message is meant for the operator as it is.
 */
public final class ObjstoreConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with an operator-facing message. */
    public ObjstoreConfigException(String message) {
        super(message);
    }

    /** Creates the exception with an operator-facing message and the parser's cause. */
    public ObjstoreConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
