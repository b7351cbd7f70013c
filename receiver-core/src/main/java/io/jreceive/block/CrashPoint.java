package io.jreceive.block;

/**
 * Fault injection for crash tests: when the system property {@value #PROPERTY} names a point, reaching it halts the
 * JVM at once ({@link Runtime#halt}: no shutdown hooks, no flushing — as abrupt as SIGKILL for what is on disk).
 * Unset in production, where {@link #reach} is a read of one static final field.
 */
public final class CrashPoint {
    public static final String PROPERTY = "jreceive.crash-point";

    /** A block directory is complete in {@code <ULID>.tmp-for-creation} but not renamed yet. */
    public static final String BLOCK_BEFORE_RENAME = "block-before-rename";
    /** A block is renamed into place; the head still holds its range. */
    public static final String BLOCK_AFTER_RENAME = "block-after-rename";
    /** The head is truncated; the WAL is not checkpointed or truncated yet. */
    public static final String BEFORE_WAL_TRUNCATION = "before-wal-truncation";

    /** A head snapshot is written in {@code chunk_snapshot.*.tmp} but not renamed yet. */
    public static final String SNAPSHOT_BEFORE_RENAME = "snapshot-before-rename";

    private static final String ARMED = System.getProperty(PROPERTY, "");

    private CrashPoint() {
    }

    public static void reach(String point) {
        if (!ARMED.isEmpty() && ARMED.equals(point)) {
            System.err.println("crash point " + point + " reached: halting");
            Runtime.getRuntime().halt(137);
        }
    }
}
