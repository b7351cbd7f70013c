package io.jreceive.wal;

/**
 * An append was refused because the WAL writer already holds {@link WalConfig#maxQueuedBytes()} of unwritten
 * records: the disk is slower than ingestion. Nothing was logged; the ingest layer answers 503 so the sender
 * retries later.
 */
public final class WalOverloadedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WalOverloadedException(String message) {
        super(message);
    }
}
