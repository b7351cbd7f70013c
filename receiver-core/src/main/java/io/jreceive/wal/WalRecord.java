package io.jreceive.wal;

/**
 * Layout of the (decompressed) WAL records jreceive writes, in Prometheus' {@code tsdb/record} encoding. The first
 * byte is the record type; all fixed-width integers are big-endian, {@code uvarint}/{@code varint} are Go's
 * (LEB128, zig-zag for varint), strings are uvarint-length-prefixed UTF-8.
 *
 * <pre>
 * Series (type 1), one entry per series, repeated until the end of the record:
 *  +--------+----------------+---------------------+--------------------------------------------------+
 *  | 0x01   | ref (BE u64)   | #labels (uvarint)   | #labels x ( name (uvarint str), value (uvarint str) ) | ...
 *  +--------+----------------+---------------------+--------------------------------------------------+
 *
 * Samples (type 2), every sample including the first is a delta against the header:
 *  +--------+------------------+------------------+---------------------------------------------------------+
 *  | 0x02   | first_ref (u64)  | first_t (i64)    | ( ref-first_ref (varint), t-first_t (varint), value (u64) ) ...
 *  +--------+------------------+------------------+---------------------------------------------------------+
 *   value = IEEE-754 bits as written ({@code Double.doubleToRawLongBits}); the stale marker NaN keeps its payload.
 * </pre>
 *
 * Histogram sample records (types 7 to 10) are laid out in {@link HistogramRecord}. Other Prometheus record types
 * (tombstones, exemplars, metadata) are recognised by number and skipped on replay; jreceive does not write them.
 */
public final class WalRecord {
    public static final int SERIES = 1;
    public static final int SAMPLES = 2;
    public static final int TOMBSTONES = 3;
    public static final int EXEMPLARS = 4;
    public static final int METADATA = 6;

    public static final int TYPE_OFFSET = 0;
    public static final int TYPE_SIZE = 1;

    /** First series entry of a series record. */
    public static final int SERIES_ENTRIES_OFFSET = TYPE_OFFSET + TYPE_SIZE;
    public static final int SERIES_REF_SIZE = 8;

    public static final int SAMPLES_FIRST_REF_OFFSET = TYPE_OFFSET + TYPE_SIZE;
    public static final int SAMPLES_FIRST_T_OFFSET = SAMPLES_FIRST_REF_OFFSET + 8;
    /** First (delta-encoded) sample of a samples record. */
    public static final int SAMPLES_ENTRIES_OFFSET = SAMPLES_FIRST_T_OFFSET + 8;
    public static final int SAMPLE_VALUE_SIZE = 8;

    /**
     * Largest record (before compression) the writer accepts and the reader decodes: 256 MiB. A larger append fails
     * with {@link IllegalArgumentException}; a stored record claiming a larger decompressed size is corruption. One
     * remote-write request is far below it because the HTTP layer bounds the body size.
     */
    public static final int MAX_SIZE = 256 * 1024 * 1024;

    private WalRecord() {
    }

    /** The record type of an encoded record. */
    public static int type(byte[] record) {
        return record[TYPE_OFFSET] & 0xFF;
    }
}
