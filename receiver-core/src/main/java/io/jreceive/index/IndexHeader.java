package io.jreceive.index;

/**
 * The first bytes of a Prometheus index file.
 *
 * <pre>
 *  0                      4           5
 *  +----------------------+-----------+------------------
 *  | magic BA AA D7 00    | version   | symbol table ...
 *  | uint32 BE            | 02        |
 *  +----------------------+-----------+------------------
 * </pre>
 */
public final class IndexHeader {
    /** {@code MagicIndex}. */
    public static final int MAGIC = 0xBAAAD700;
    /** {@code FormatV2}: series are referenced by 16-byte-aligned IDs, symbols by ordinal. */
    public static final byte VERSION = 2;
    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 4;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 1;
    /** Size of the header; the symbol table starts here. */
    public static final int SIZE = VERSION_OFFSET + VERSION_LENGTH;

    /** Series entries start on multiples of this; a series ID is its entry's offset divided by it. */
    public static final int SERIES_ALIGNMENT = 16;
    /** Postings lists (and the sections after them) start on multiples of this. */
    public static final int SECTION_ALIGNMENT = 4;
    /** Size of the {@code len} field in front of fixed-length sections. */
    public static final int LEN_LENGTH = 4;
    /** Size of the CRC32C that ends every section. */
    public static final int CRC_LENGTH = 4;

    private IndexHeader() {
    }
}
