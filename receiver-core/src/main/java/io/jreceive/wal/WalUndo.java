package io.jreceive.wal;

/**
 * What a {@link WalWriter} calls when appends it accepted fail to reach the disk, so that their writer (the head)
 * takes back what it stored for them: a failed append must leave no trace, or its retry would be taken for a
 * duplicate of samples that only the memory held. The writer calls {@link #exclusive} once per failure and
 * {@link #undo} inside it for every record of the failed appends, newest append first.
 */
public interface WalUndo {
    /** Runs {@code action} while no append can reach the writer (the appends' own lock held). */
    void exclusive(Runnable action);

    /** Takes back one record of a failed append, {@code buf[off, off + len)}. Called inside {@link #exclusive}. */
    void undo(byte[] buf, int off, int len);

    /** Undoes nothing: for logs whose records need no taking back (tests, checkpoints). */
    WalUndo NONE = new WalUndo() {
        @Override
        public void exclusive(Runnable action) {
            action.run();
        }

        @Override
        public void undo(byte[] buf, int off, int len) {
        }
    };
}
