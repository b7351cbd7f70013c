package io.jreceive.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.FormatException;

/**
 * A block's {@code tombstones} file: deleted time ranges per series. jreceive never deletes, so it writes the empty
 * file every fresh Prometheus block has, and reads any file back (a missing file means no tombstones).
 *
 * <pre>
 *  0                      4         5
 *  +----------------------+---------+-------------------------------------------+--------------+
 *  | magic 01 30 BA 30    | version | entries: (seriesRef uvarint, mint varint, | CRC32C       |
 *  | uint32 BE            | 01      |           maxt varint)*   closed interval | uint32 BE    |
 *  +----------------------+---------+-------------------------------------------+--------------+
 *  empty file: 01 30 BA 30 01 00 00 00 00
 * </pre>
 * The CRC covers only the entries, not magic or version (Prometheus' rule, kept "for compatibility").
 */
public final class Tombstones {
    public static final String FILE_NAME = "tombstones";
    public static final int MAGIC = 0x0130BA30;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 4;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 1;
    public static final int ENTRIES_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int CRC_LENGTH = 4;
    /** Size of a file without entries. */
    public static final int EMPTY_SIZE = ENTRIES_OFFSET + CRC_LENGTH;

    /** One deleted range of a series, both ends inclusive. */
    public record Tombstone(long seriesRef, long minTime, long maxTime) {
    }

    private Tombstones() {
    }

    /** Writes and syncs {@code blockDir/tombstones} without entries. */
    public static void writeEmpty(Path blockDir) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(EMPTY_SIZE);
        bb.putInt(MAGIC_OFFSET, MAGIC).put(VERSION_OFFSET, VERSION).putInt(ENTRIES_OFFSET, 0);
        try (FileChannel ch = FileChannel.open(blockDir.resolve(FILE_NAME), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
    }

    /**
     * Reads {@code blockDir/tombstones}; an absent file is an empty list.
     *
     * @throws CorruptBlockException on bad magic, version, CRC or entry encoding
     */
    public static List<Tombstone> read(Path blockDir) throws IOException {
        Path f = blockDir.resolve(FILE_NAME);
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (b.length < EMPTY_SIZE) {
            throw CorruptBlockException.format(f, 0, "tombstones file of " + b.length + " bytes is too short");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (bb.getInt(MAGIC_OFFSET) != MAGIC) {
            throw CorruptBlockException.format(f, MAGIC_OFFSET,
                    String.format("bad tombstones magic %08x, want %08x", bb.getInt(MAGIC_OFFSET), MAGIC));
        }
        if (b[VERSION_OFFSET] != VERSION) {
            throw CorruptBlockException.format(f, VERSION_OFFSET, "unsupported tombstones version " + b[VERSION_OFFSET]);
        }
        int end = b.length - CRC_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(b, ENTRIES_OFFSET, end - ENTRIES_OFFSET);
        int computed = (int) crc.getValue();
        int stored = bb.getInt(end);
        if (stored != computed) {
            throw CorruptBlockException.checksum(f, ENTRIES_OFFSET, "tombstone entries", stored, computed);
        }
        List<Tombstone> out = new ArrayList<>();
        DecBuf d = new DecBuf(bb, ENTRIES_OFFSET, end);
        try {
            while (d.remaining() > 0) {
                out.add(new Tombstone(d.uvarint(), d.varint(), d.varint()));
            }
        } catch (FormatException e) {
            throw CorruptBlockException.format(f, d.position(), "tombstone entry: " + e.getMessage(), e);
        }
        return out;
    }
}
