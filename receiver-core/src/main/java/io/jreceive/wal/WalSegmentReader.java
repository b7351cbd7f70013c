package io.jreceive.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import org.xerial.snappy.Snappy;

/**
 * Reads the records of one segment file (format in {@link WalSegmentWriter}) a page at a time, verifying every
 * fragment: known type, legal fragment sequence, no page crossing, CRC-32C of the data, all-zero padding, complete
 * records. A short last page is read as if zero-padded (the active segment of a crashed writer). Any violation is a
 * {@link WalCorruptionException} naming the file and offset, with {@link WalCorruptionException#validEnd()} the end
 * of the last good record.
 */
final class WalSegmentReader implements Closeable {
    private final Path path;
    private final FileChannel file;
    private final byte[] page = new byte[WalFragment.PAGE_SIZE];
    private final ByteBuffer pageBuf = ByteBuffer.wrap(page);
    private final CRC32C crc = new CRC32C();
    /** Concatenated fragment data of the record being read (compressed form if the record is compressed). */
    private byte[] frags = new byte[WalFragment.PAGE_SIZE];
    private byte[] decompressed = new byte[0];

    private long pageStart = -WalFragment.PAGE_SIZE;
    private int pageLen = WalFragment.PAGE_SIZE;
    private int pos = WalFragment.PAGE_SIZE;
    private boolean eof;

    private byte[] record;
    private int recordLen;
    private long recordStart;
    private long validEnd;

    WalSegmentReader(Path path) throws IOException {
        this.path = path;
        this.file = FileChannel.open(path, StandardOpenOption.READ);
    }

    Path path() {
        return path;
    }

    /** The current record's bytes, valid in {@code [0, length())} until the next call to {@link #next()}. */
    byte[] record() {
        return record;
    }

    int length() {
        return recordLen;
    }

    /** Offset of the first fragment of the current record. */
    long offset() {
        return recordStart;
    }

    /** End offset of the last complete record read (0 before the first). */
    long validEnd() {
        return validEnd;
    }

    /**
     * Advances to the next record.
     *
     * @return false at the clean end of the segment
     */
    boolean next() throws IOException {
        int fragments = 0;
        int fragsLen = 0;
        int compression = 0;
        while (true) {
            if (pos >= pageLen) {
                if (!readPage()) {
                    if (fragments > 0) {
                        throw corrupt(recordStart, "record truncated by the end of the segment", null);
                    }
                    return false;
                }
            }
            final int at = pos;
            final long offset = pageStart + at;
            final int typeByte = page[at] & 0xFF;
            final int type = WalFragment.type(typeByte);
            if (typeByte == WalFragment.PAGE_TERM) {
                for (int i = at + 1; i < pageLen; i++) {
                    if (page[i] != 0) {
                        throw corrupt(pageStart + i, "unexpected non-zero byte in padded page", null);
                    }
                }
                pos = pageLen;
                continue;
            }
            if ((typeByte & WalFragment.RESERVED_MASK) != 0 || type > WalFragment.LAST
                    || type == WalFragment.PAGE_TERM) {
                throw corrupt(offset, String.format("invalid fragment type byte 0x%02x", typeByte), null);
            }
            if ((typeByte & WalFragment.ZSTD_FLAG) != 0) {
                throw corrupt(offset, "zstd-compressed record (unsupported, only snappy)", null);
            }
            boolean starts = type == WalFragment.FULL || type == WalFragment.FIRST;
            if (starts != (fragments == 0)) {
                throw corrupt(offset, "fragment type " + type + " out of sequence (fragment " + fragments
                        + " of a record)", null);
            }
            if (pageLen - at < WalFragment.HEADER_SIZE) {
                throw corrupt(offset, "fragment header truncated", null);
            }
            int length = ((page[at + WalFragment.LENGTH_OFFSET] & 0xFF) << 8)
                    | (page[at + WalFragment.LENGTH_OFFSET + 1] & 0xFF);
            int stored = pageBuf.getInt(at + WalFragment.CRC_OFFSET);
            int data = at + WalFragment.DATA_OFFSET;
            if (data + length > WalFragment.PAGE_SIZE) {
                throw corrupt(offset, "fragment of " + length + " bytes crosses the page boundary", null);
            }
            if (data + length > pageLen) {
                throw corrupt(offset, "fragment data truncated", null);
            }
            crc.reset();
            crc.update(page, data, length);
            int computed = (int) crc.getValue();
            if (computed != stored) {
                throw new WalCorruptionException(path, offset, validEnd, stored, computed);
            }
            int flags = typeByte & WalFragment.SNAPPY_FLAG;
            if (fragments == 0) {
                recordStart = offset;
                compression = flags;
            } else if (flags != compression) {
                throw corrupt(offset, "compression flag differs between fragments of one record", null);
            }
            if (fragsLen + length > WalRecord.MAX_SIZE) {
                throw corrupt(recordStart, "record larger than " + WalRecord.MAX_SIZE + " bytes", null);
            }
            if (fragsLen + length > frags.length) {
                frags = Arrays.copyOf(frags, Math.max(frags.length * 2, fragsLen + length));
            }
            System.arraycopy(page, data, frags, fragsLen, length);
            fragsLen += length;
            pos = data + length;
            fragments++;
            if (type == WalFragment.FULL || type == WalFragment.LAST) {
                long end = pageStart + pos;
                if (compression != 0) {
                    uncompress(fragsLen);
                } else {
                    record = frags;
                    recordLen = fragsLen;
                }
                validEnd = end;
                return true;
            }
        }
    }

    private void uncompress(int len) throws WalCorruptionException {
        try {
            int n = Snappy.uncompressedLength(frags, 0, len);
            if (n < 0 || n > WalRecord.MAX_SIZE) {
                throw corrupt(recordStart, "snappy record claims " + n + " bytes", null);
            }
            if (decompressed.length < n) {
                decompressed = new byte[Math.max(n, Math.min(WalRecord.MAX_SIZE, decompressed.length * 2))];
            }
            int got = Snappy.uncompress(frags, 0, len, decompressed, 0);
            if (got != n) {
                throw corrupt(recordStart, "snappy record decoded to " + got + " bytes, expected " + n, null);
            }
            record = decompressed;
            recordLen = n;
        } catch (IOException e) {
            if (e instanceof WalCorruptionException) {
                throw (WalCorruptionException) e;
            }
            throw corrupt(recordStart, "snappy decoding failed: " + e.getMessage(), e);
        }
    }

    /** Reads the next page; false at end of file. */
    private boolean readPage() throws IOException {
        if (eof) {
            return false;
        }
        pageStart += WalFragment.PAGE_SIZE;
        pageBuf.clear();
        while (pageBuf.hasRemaining()) {
            if (file.read(pageBuf, pageStart + pageBuf.position()) < 0) {
                break;
            }
        }
        pageLen = pageBuf.position();
        pos = 0;
        if (pageLen < WalFragment.PAGE_SIZE) {
            eof = true;
        }
        return pageLen > 0;
    }

    WalCorruptionException corrupt(long offset, String what, Throwable cause) {
        return new WalCorruptionException(path, offset, validEnd, what, cause);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
