package io.jreceive.head;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The result of reading one head chunk file back ({@link HeadChunkFileLayout}): how many of its bytes are valid
 * records, the newest chunk end among them, and what ended the valid part early (null when the file was read to its
 * end). The file is read through a 1 MiB window, so a recovery's memory does not grow with the files.
 *
 * @param validEnd bytes of valid header and records from the file's start; below the header size when the header is
 *                 missing or wrong
 * @param maxt     newest end time of a valid chunk, {@link Long#MIN_VALUE} when there is none
 * @param problem  why reading stopped before the end of the file (a torn or corrupt record), or null
 */
record HeadChunkFileScan(long validEnd, long maxt, String problem) {
    private static final int WINDOW = 1 << 20;

    /**
     * Reads {@code file}, adding each valid chunk to {@code out} as a chunk of segment {@code segmentId}.
     */
    static HeadChunkFileScan scan(Path file, int segmentId, RecoveredChunks.Builder out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final long size = ch.size();
            ByteBuffer win = ByteBuffer.allocate((int) Math.min(WINDOW, Math.max(size, 1)));
            long base = 0;  // file offset of win[0]
            fill(ch, win, base);
            if (win.limit() < HeadChunkFileLayout.HEADER_SIZE) {
                return new HeadChunkFileScan(0, Long.MIN_VALUE, "file of " + size + " bytes has no header");
            }
            int magic = win.getInt(HeadChunkFileLayout.MAGIC_OFFSET);
            byte version = win.get(HeadChunkFileLayout.VERSION_OFFSET);
            if (magic != HeadChunkFileLayout.MAGIC || version != HeadChunkFileLayout.VERSION) {
                return new HeadChunkFileScan(0, Long.MIN_VALUE, String.format(
                        "magic %08x version %d, not a head chunk file", magic, version));
            }
            final CRC32C crc = new CRC32C();
            final byte[] arr = win.array();
            long maxt = Long.MIN_VALUE;
            long pos = HeadChunkFileLayout.HEADER_SIZE;
            while (pos < size) {
                int at = (int) (pos - base);
                if (win.limit() - at < HeadChunkFileLayout.MAX_META_SIZE + ClosedChunks.MAX_CHUNK_BYTES
                        && base + win.limit() < size) {
                    // Less than the largest record left in the window and more in the file: slide the window.
                    base = pos;
                    win.position(at).compact();
                    readMore(ch, win, base);
                    at = 0;
                }
                final int avail = win.limit() - at;
                if (avail < HeadChunkFileLayout.LEN_OFFSET + 1 + HeadChunkFileLayout.CRC_LENGTH) {
                    return new HeadChunkFileScan(pos, maxt, "torn record at its end");
                }
                long seriesRef = win.getLong(at + HeadChunkFileLayout.SERIES_REF_OFFSET);
                long mint = win.getLong(at + HeadChunkFileLayout.MINT_OFFSET);
                long cmaxt = win.getLong(at + HeadChunkFileLayout.MAXT_OFFSET);
                int len = 0;
                int shift = 0;
                int p = at + HeadChunkFileLayout.LEN_OFFSET;
                while (true) {
                    if (p >= win.limit() || shift > 28) {
                        return new HeadChunkFileScan(pos, maxt, "torn or bad length at offset " + pos);
                    }
                    byte b = arr[p++];
                    len |= (b & 0x7F) << shift;
                    if (b >= 0) {
                        break;
                    }
                    shift += 7;
                }
                if (len > ClosedChunks.MAX_CHUNK_BYTES) {
                    return new HeadChunkFileScan(pos, maxt, "chunk length " + len + " at offset " + pos);
                }
                final int dataAt = p;
                final int end = dataAt + len + HeadChunkFileLayout.CRC_LENGTH;
                if (end > win.limit()) {
                    return new HeadChunkFileScan(pos, maxt, "torn record at offset " + pos);
                }
                crc.reset();
                crc.update(arr, at, dataAt + len - at);
                int stored = win.getInt(dataAt + len);
                if (stored != (int) crc.getValue()) {
                    return new HeadChunkFileScan(pos, maxt, String.format(
                            "record at offset %d: stored CRC32C %08x, computed %08x", pos, stored, (int) crc.getValue()));
                }
                if (mint > cmaxt) {
                    return new HeadChunkFileScan(pos, maxt, "record at offset " + pos + " spans [" + mint + ", "
                            + cmaxt + "]");
                }
                out.add(seriesRef, mint, cmaxt, arr[at + HeadChunkFileLayout.ENCODING_OFFSET],
                        ClosedChunks.ref(segmentId, (int) (base + dataAt), len));
                maxt = Math.max(maxt, cmaxt);
                pos = base + end;
            }
            return new HeadChunkFileScan(pos, maxt, null);
        }
    }

    /** Fills {@code win} from file offset {@code at}, as far as the file and the window go; flips it for reading. */
    private static void fill(FileChannel ch, ByteBuffer win, long at) throws IOException {
        win.clear();
        readMore(ch, win, at);
    }

    /** Reads into {@code win} from its position on (file offset {@code base + position}); flips it for reading. */
    private static void readMore(FileChannel ch, ByteBuffer win, long base) throws IOException {
        while (win.hasRemaining()) {
            if (ch.read(win, base + win.position()) < 0) {
                break;
            }
        }
        win.flip();
    }
}
