package io.jreceive.block;

import java.nio.file.Path;

/**
 * A block file failed a check on read: bad magic or version, a checksum mismatch, or bytes that do not decode. The
 * message names the file and the byte offset of the failing structure and, for checksum failures, the stored and the
 * computed CRC-32C, so an operator can tell which block to quarantine and a developer where to look. Thrown by
 * {@link BlockReader} and by the readers of the files inside a block
 * ({@link io.jreceive.index.IndexReader}, {@link io.jreceive.chunk.ChunkSegmentReader}).
 */
public final class CorruptBlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final boolean checksum;
    private final int stored;
    private final int computed;

    private CorruptBlockException(Path file, long offset, String message, boolean checksum, int stored, int computed,
            Throwable cause) {
        super(message, cause);
        this.file = file;
        this.offset = offset;
        this.checksum = checksum;
        this.stored = stored;
        this.computed = computed;
    }

    /** A CRC-32C mismatch of {@code what} (e.g. "symbol table") whose checked structure starts at {@code offset}. */
    public static CorruptBlockException checksum(Path file, long offset, String what, int stored, int computed) {
        String msg = String.format("corrupt block file %s: %s at offset %d: checksum mismatch: stored %08x, computed %08x",
                file, what, offset, stored, computed);
        return new CorruptBlockException(file, offset, msg, true, stored, computed, null);
    }

    /** Anything other than a checksum failure: bad magic, unsupported version, undecodable or inconsistent bytes. */
    public static CorruptBlockException format(Path file, long offset, String detail) {
        return format(file, offset, detail, null);
    }

    public static CorruptBlockException format(Path file, long offset, String detail, Throwable cause) {
        String msg = "corrupt block file " + file + " at offset " + offset + ": " + detail;
        return new CorruptBlockException(file, offset, msg, false, 0, 0, cause);
    }

    public Path file() {
        return file;
    }

    /** Byte offset, within {@link #file()}, of the structure that failed its check. */
    public long offset() {
        return offset;
    }

    /** Whether this is a checksum mismatch; only then {@link #storedCrc()} and {@link #computedCrc()} mean anything. */
    public boolean isChecksum() {
        return checksum;
    }

    public int storedCrc() {
        return stored;
    }

    public int computedCrc() {
        return computed;
    }
}
