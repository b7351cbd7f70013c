package io.jreceive.head;

/**
 * A request the head refuses before appending anything because its WAL records would exceed
 * {@link io.jreceive.wal.WalRecord#MAX_SIZE} (for instance a remote write 2.0 request whose few series repeat one
 * huge symbol in hundreds of labels). Retrying cannot help: the HTTP layer answers 413 with the message.
 */
public final class AppendTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AppendTooLargeException(String message) {
        super(message, null, false, false);
    }
}
