package io.jreceive.ingest;

/**
 * A tenant cannot take writes for a moment (its storage is being flushed or removed by tenant pruning): nothing of
 * the request was appended. {@link TenantWriter#write} fails its future with it; the ingest layer answers 503 with
 * the message, so the sender retries, and the retry finds the tenant open again (or created anew).
 */
public final class TenantUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TenantUnavailableException(String message) {
        super(message);
    }
}
