package io.jreceive.head;

/**
 * Layout of a head chunk file {@code chunks_head/NNNNNN}, Prometheus' {@code chunks_head} format (its
 * {@code tsdb/chunks/head_chunks.go}), and of each chunk record inside it.
 *
 * <pre>
 *  file:
 *  0                   4         5                   8
 *  +-------------------+---------+-------------------+----------+----------+-----
 *  | magic 01 30 BC 91 | version | padding 00 00 00  | record   | record   | ...
 *  | uint32 BE         | 01      |                   |          |          |
 *  +-------------------+---------+-------------------+----------+----------+-----
 *
 *  record:
 *  0            8           16          24         25              25+n         25+n+len
 *  +------------+-----------+-----------+----------+---------------+------------+-----------+
 *  | series ref | mint      | maxt      | encoding | len uvarint   | data       | CRC32C    |
 *  | uint64 BE  | int64 BE  | int64 BE  | 1 byte   | n = 1..5      | len bytes  | uint32 BE |
 *  +------------+-----------+-----------+----------+---------------+------------+-----------+
 * </pre>
 *
 * The CRC32C (Castagnoli) covers every byte of the record before it, series ref to data, so a record whose series,
 * time range or bytes were torn or overwritten is recognised as such; a reader stops at the first record that fails
 * it. Files are named with six digits from {@code 000001} up, one more per new file; a record never spans files. The
 * series ref is the head's series id, which is the ref of the series' WAL series record.
 */
final class HeadChunkFileLayout {
    /** Prometheus' {@code MagicHeadChunks}. */
    static final int MAGIC = 0x0130BC91;
    /** Prometheus' {@code chunksFormatV1}. */
    static final byte VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int VERSION_LENGTH = 1;
    static final int PADDING_LENGTH = 3;
    /** Size of the file header; the first record starts here. */
    static final int HEADER_SIZE = VERSION_OFFSET + VERSION_LENGTH + PADDING_LENGTH;

    static final int SERIES_REF_OFFSET = 0;
    static final int SERIES_REF_LENGTH = 8;
    static final int MINT_OFFSET = SERIES_REF_OFFSET + SERIES_REF_LENGTH;
    static final int TIME_LENGTH = 8;
    static final int MAXT_OFFSET = MINT_OFFSET + TIME_LENGTH;
    static final int ENCODING_OFFSET = MAXT_OFFSET + TIME_LENGTH;
    static final int ENCODING_LENGTH = 1;
    /** Where the data length starts; the data follows it. */
    static final int LEN_OFFSET = ENCODING_OFFSET + ENCODING_LENGTH;
    /** Longest data length prefix (a uint32 as uvarint). */
    static final int MAX_LEN_LENGTH = 5;
    static final int CRC_LENGTH = 4;
    /** Prometheus' {@code MaxHeadChunkMetaSize}: the most bytes a record has besides its data. */
    static final int MAX_META_SIZE = LEN_OFFSET + MAX_LEN_LENGTH + CRC_LENGTH;

    /** Prometheus' {@code MaxHeadChunkFileSize}: a new file is started before one would grow past 128 MiB. */
    static final int MAX_FILE_SIZE = 128 << 20;

    /** Digits in a file name. */
    static final int NAME_DIGITS = 6;

    private HeadChunkFileLayout() {
    }

    /** Size of a record holding {@code dataLength} bytes of chunk data. */
    static int recordSize(int dataLength) {
        return LEN_OFFSET + uvarintSize(dataLength) + dataLength + CRC_LENGTH;
    }

    /** Offset, from the record's start, of the data of a record holding {@code dataLength} bytes. */
    static int dataOffset(int dataLength) {
        return LEN_OFFSET + uvarintSize(dataLength);
    }

    private static int uvarintSize(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** File name of file number {@code seq}: {@code 000001} for 1. */
    static String fileName(long seq) {
        return String.format("%0" + NAME_DIGITS + "d", seq);
    }

    /** The number a file name stands for, or -1 when it is not a head chunk file's name (digits only). */
    static long sequence(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
