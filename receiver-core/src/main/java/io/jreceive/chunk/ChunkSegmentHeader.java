package io.jreceive.chunk;

/**
 * Layout of a block's chunk segment file {@code chunks/NNNNNN} and of each chunk inside it.
 *
 * <pre>
 *  file:
 *  0                   4         5                   8
 *  +-------------------+---------+-------------------+----------+----------+-----
 *  | magic 85 BD 40 DD | version | padding 00 00 00  | chunk    | chunk    | ...
 *  | uint32 BE         | 01      |                   |          |          |
 *  +-------------------+---------+-------------------+----------+----------+-----
 *
 *  chunk (at the offset its reference names):
 *  +----------------+----------+--------------+---------------------------+
 *  | len uvarint    | encoding | data         | CRC32C uint32 BE          |
 *  | (data only,    | 1 byte   | len bytes    | over encoding byte + data |
 *  |  1..5 bytes)   |          |              |                           |
 *  +----------------+----------+--------------+---------------------------+
 * </pre>
 *
 * Files are named with six digits starting at {@code 000001}; a chunk never spans files. A chunk reference, as the
 * index stores it, is {@code (0-based position of the file among the sorted segment files) << 32 | byte offset}.
 */
public final class ChunkSegmentHeader {
    /** {@code MagicChunks}. */
    public static final int MAGIC = 0x85BD40DD;
    /** {@code chunksFormatV1}. */
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 4;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 1;
    public static final int PADDING_LENGTH = 3;
    /** Size of the file header; the first chunk starts here. */
    public static final int HEADER_SIZE = VERSION_OFFSET + VERSION_LENGTH + PADDING_LENGTH;

    /** Size of the encoding byte that follows a chunk's length. */
    public static final int ENCODING_LENGTH = 1;
    /** Size of the CRC32C that ends each chunk. */
    public static final int CRC_LENGTH = 4;
    /** Longest length prefix a chunk may have (data length below 2^35, in practice at most 5 bytes). */
    public static final int MAX_LEN_LENGTH = 5;

    /** Prometheus' {@code DefaultChunkSegmentSize}: a new file is cut before one would grow past 512 MiB. */
    public static final long DEFAULT_MAX_SIZE = 512L * 1024 * 1024;

    /** Digits in a segment file name. */
    public static final int NAME_DIGITS = 6;

    private ChunkSegmentHeader() {
    }

    /** The reference of a chunk at {@code offset} in the segment at 0-based {@code position}. */
    public static long ref(int position, long offset) {
        return ((long) position << 32) | (offset & 0xFFFFFFFFL);
    }

    /** 0-based file position of a chunk reference. */
    public static int position(long ref) {
        return (int) (ref >>> 32);
    }

    /** Byte offset within its file of a chunk reference. */
    public static long offset(long ref) {
        return ref & 0xFFFFFFFFL;
    }

    /** File name of the segment at 0-based {@code position}: {@code 000001} for 0. */
    public static String fileName(int position) {
        return String.format("%06d", position + 1);
    }

    /** Whether {@code name} looks like a segment file name (digits only). */
    public static boolean isSegmentName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
