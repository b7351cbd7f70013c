package io.jreceive.wal;

/**
 * Layout of a WAL page and of the fragment header that precedes every piece of a record inside it. A segment file is
 * a sequence of {@link #PAGE_SIZE} pages with no file header; a record is cut into fragments so that no fragment
 * crosses a page boundary.
 *
 * <pre>
 *  0        1                 3                                 7
 *  +--------+-----------------+---------------------------------+------------------------+
 *  | type   | length (BE u16) | CRC-32C of data (BE u32)        | data (length bytes)    |
 *  +--------+-----------------+---------------------------------+------------------------+
 *
 *  type byte:  bit 7..5 reserved (0) | bit 4 zstd | bit 3 snappy | bit 2..0 fragment type
 *  fragment types: 0 page terminator (rest of the page is zero), 1 full, 2 first, 3 middle, 4 last
 * </pre>
 *
 * When fewer than {@link #HEADER_SIZE} bytes remain in a page the rest of the page is zero; a zero type byte
 * therefore means "skip to the next page".
 */
public final class WalFragment {
    /** Size of a WAL page; fragments never cross a multiple of it. */
    public static final int PAGE_SIZE = 32 * 1024;

    public static final int TYPE_OFFSET = 0;
    public static final int TYPE_SIZE = 1;
    public static final int LENGTH_OFFSET = TYPE_OFFSET + TYPE_SIZE;
    public static final int LENGTH_SIZE = 2;
    public static final int CRC_OFFSET = LENGTH_OFFSET + LENGTH_SIZE;
    public static final int CRC_SIZE = 4;
    public static final int DATA_OFFSET = CRC_OFFSET + CRC_SIZE;
    /** Fragment header size: 7 bytes. */
    public static final int HEADER_SIZE = DATA_OFFSET;
    /** Largest data length of one fragment (a fragment alone in a page). */
    public static final int MAX_DATA = PAGE_SIZE - HEADER_SIZE;

    /** Zero padding up to the end of the page. */
    public static final int PAGE_TERM = 0;
    /** A whole record in one fragment. */
    public static final int FULL = 1;
    public static final int FIRST = 2;
    public static final int MIDDLE = 3;
    public static final int LAST = 4;

    /** Bits 0-2 of the type byte. */
    public static final int TYPE_MASK = 0x07;
    /** The record was snappy (raw block format) compressed as a whole before fragmentation. */
    public static final int SNAPPY_FLAG = 0x08;
    /** The record was zstd compressed (written by Prometheus with {@code --storage.tsdb.wal-compression-type=zstd}). */
    public static final int ZSTD_FLAG = 0x10;
    /** Bits 5-7, always zero. */
    public static final int RESERVED_MASK = 0xE0;

    private WalFragment() {
    }

    /** The fragment type (bits 0-2) of a type byte. */
    public static int type(int typeByte) {
        return typeByte & TYPE_MASK;
    }
}
