package io.jreceive.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A WAL segment holds bytes that are not a valid record where one must be: a CRC mismatch, a torn or malformed
 * fragment, non-zero page padding, an undecodable record. Carries the file, the offset of the bad fragment or record,
 * and {@link #validEnd()}, the end of the last complete record before it (where a repair truncates).
 */
public final class WalCorruptionException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Marks {@link #storedCrc()}/{@link #computedCrc()} of a corruption that is not a checksum mismatch. */
    public static final long NO_CRC = -1;

    private final transient Path file;
    private final long offset;
    private final long validEnd;
    private final long storedCrc;
    private final long computedCrc;

    WalCorruptionException(Path file, long offset, long validEnd, String what, Throwable cause) {
        super(what + " in WAL segment " + file + " at offset " + offset, cause);
        this.file = file;
        this.offset = offset;
        this.validEnd = validEnd;
        this.storedCrc = NO_CRC;
        this.computedCrc = NO_CRC;
    }

    WalCorruptionException(Path file, long offset, long validEnd, int storedCrc, int computedCrc) {
        super(String.format("checksum mismatch in WAL segment %s at offset %d: stored CRC32C 0x%08x, computed 0x%08x",
                file, offset, storedCrc, computedCrc));
        this.file = file;
        this.offset = offset;
        this.validEnd = validEnd;
        this.storedCrc = Integer.toUnsignedLong(storedCrc);
        this.computedCrc = Integer.toUnsignedLong(computedCrc);
    }

    public Path file() {
        return file;
    }

    /** Offset in {@link #file()} of the fragment (or record) found bad. */
    public long offset() {
        return offset;
    }

    /** End offset of the last complete, valid record before {@link #offset()} (0 if none). */
    public long validEnd() {
        return validEnd;
    }

    /** Unsigned CRC32C stored in the fragment header, or {@link #NO_CRC}. */
    public long storedCrc() {
        return storedCrc;
    }

    /** Unsigned CRC32C computed over the fragment data, or {@link #NO_CRC}. */
    public long computedCrc() {
        return computedCrc;
    }
}
