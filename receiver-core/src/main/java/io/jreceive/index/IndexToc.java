package io.jreceive.index;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.jreceive.block.CorruptBlockException;
import io.jreceive.encoding.EncBuf;

/**
 * The table of contents that ends every index file: the absolute offsets of its sections, and a CRC over them.
 *
 * <pre>
 *  file size - 52
 *  0           8           16             24                  32           40              48      52
 *  +-----------+-----------+--------------+-------------------+------------+---------------+-------+
 *  | symbols   | series    | labelIndices | labelIndicesTable | postings   | postingsTable | CRC32C|
 *  | uint64 BE | uint64 BE | uint64 BE    | uint64 BE         | uint64 BE  | uint64 BE     | of 0..48
 *  +-----------+-----------+--------------+-------------------+------------+---------------+-------+
 * </pre>
 *
 * An offset of 0 means the section is absent. jreceive writes no legacy label indices or label offset table, so
 * {@code labelIndices == postings} and {@code labelIndicesTable == postingsTable}, as Prometheus 3.7+ does.
 */
public record IndexToc(long symbols, long series, long labelIndices, long labelIndicesTable, long postings,
        long postingsTable) {
    public static final int SYMBOLS_OFFSET = 0;
    public static final int SERIES_OFFSET = SYMBOLS_OFFSET + 8;
    public static final int LABEL_INDICES_OFFSET = SERIES_OFFSET + 8;
    public static final int LABEL_INDICES_TABLE_OFFSET = LABEL_INDICES_OFFSET + 8;
    public static final int POSTINGS_OFFSET = LABEL_INDICES_TABLE_OFFSET + 8;
    public static final int POSTINGS_TABLE_OFFSET = POSTINGS_OFFSET + 8;
    public static final int CRC_OFFSET = POSTINGS_TABLE_OFFSET + 8;
    /** Size of the TOC: the last {@value} bytes of the index. */
    public static final int SIZE = CRC_OFFSET + 4;

    /** Appends the 52 TOC bytes. */
    public void encode(EncBuf out) {
        int start = out.len();
        out.putBE64(symbols).putBE64(series).putBE64(labelIndices).putBE64(labelIndicesTable).putBE64(postings)
                .putBE64(postingsTable);
        out.putBE32(out.crc32c(start));
    }

    /**
     * Reads and verifies the TOC that starts at {@code at} of {@code b} (big-endian absolute reads).
     *
     * @throws CorruptBlockException on a CRC mismatch
     */
    public static IndexToc decode(ByteBuffer b, int at, Path file) {
        CRC32C crc = new CRC32C();
        crc.update(b.slice(at, CRC_OFFSET));
        int computed = (int) crc.getValue();
        int stored = b.getInt(at + CRC_OFFSET);
        if (stored != computed) {
            throw CorruptBlockException.checksum(file, at, "index TOC", stored, computed);
        }
        return new IndexToc(b.getLong(at + SYMBOLS_OFFSET), b.getLong(at + SERIES_OFFSET),
                b.getLong(at + LABEL_INDICES_OFFSET), b.getLong(at + LABEL_INDICES_TABLE_OFFSET),
                b.getLong(at + POSTINGS_OFFSET), b.getLong(at + POSTINGS_TABLE_OFFSET));
    }
}
