package io.jreceive.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.xerial.snappy.Snappy;

/**
 * Appends records to the segment files of one WAL directory in Prometheus' {@code wlog} format, so that
 * {@code promtool tsdb dump} and a Prometheus server replay what jreceive wrote. Single-threaded: {@link WalWriter}
 * owns one and adds group commit on top; {@link Checkpoint} uses one to write a checkpoint.
 *
 * <p>File format (see {@link WalFragment} and {@link WalRecord} for the byte layouts):
 * <pre>
 * wal/            := segment*  checkpoint.NNNNNNNN/*
 * segment         := page*                         file NNNNNNNN (%08d), no header, up to segmentSize bytes
 * page            := fragment* zero-padding        exactly 32 KiB, except the last page of the active segment
 * fragment        := type(1) length(BE16) crc32c(BE32) data(length)
 * record          := FULL | FIRST MIDDLE* LAST     the data of its fragments concatenated, in order
 * </pre>
 * Each fragment's CRC-32C covers only its own data bytes (after compression), so a reader verifies a fragment
 * without having the rest of the record, and a torn write is found at the first incomplete fragment. When
 * compression is on, the whole record is snappy-compressed (raw block format) before it is cut into fragments and
 * every fragment carries {@link WalFragment#SNAPPY_FLAG}; a record that does not shrink is stored as is. A page with
 * fewer than 7 bytes left is zero-filled; {@link #cut()} and {@link #close()} zero-pad the last page to its end.
 * Records never span segments: a record that does not fit in the rest of the segment starts a new one; a record
 * larger than a whole segment gets an oversized segment of its own.
 *
 * <p>{@link #open} always starts a new segment after the newest segment or checkpoint in the directory, as
 * Prometheus does, so a segment left torn by a crash is never appended to.
 */
public final class WalSegmentWriter implements Closeable {
    private static final byte[] ZEROS = new byte[WalFragment.PAGE_SIZE];

    private final Path dir;
    private final boolean compress;
    private final int pagesPerSegment;
    private final ByteBuffer page = ByteBuffer.allocateDirect(WalFragment.PAGE_SIZE);
    private final ByteBuffer pageView = page.duplicate();
    private final CRC32C crc = new CRC32C();
    private byte[] compressed = new byte[0];

    private final Opener opener;
    private FileChannel file;
    private int segment;
    /** Bytes of the current segment that the last successful {@link #sync()} (or its creation) made durable. */
    private long syncedPos;
    /** Write position in the current page. */
    private int alloc;
    /** Bytes of the current page already written to the file. */
    private int flushed;
    /** Full pages written to the current segment. */
    private int donePages;

    /** Opens a new segment file for writing; tests substitute one that fails on command. */
    interface Opener {
        FileChannel open(Path path) throws IOException;
    }

    private static final Opener FILES = path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    private WalSegmentWriter(Path dir, boolean compress, int segmentSize, Opener opener) {
        this.opener = opener;
        this.dir = dir;
        this.compress = compress;
        this.pagesPerSegment = segmentSize / WalFragment.PAGE_SIZE;
    }

    /**
     * Opens {@code dir} for appending, creating it if needed, and starts a new segment numbered one above the newest
     * segment or checkpoint present.
     */
    public static WalSegmentWriter open(Path dir, boolean compress, int segmentSize) throws IOException {
        return open(dir, compress, segmentSize, FILES);
    }

    static WalSegmentWriter open(Path dir, boolean compress, int segmentSize, Opener opener) throws IOException {
        if (segmentSize <= 0 || segmentSize % WalFragment.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is not a positive multiple of "
                    + WalFragment.PAGE_SIZE);
        }
        Files.createDirectories(dir);
        WalSegmentWriter w = new WalSegmentWriter(dir, compress, segmentSize, opener);
        int last = Math.max(WalSegments.range(dir).last(), Checkpoint.last(dir));
        w.create(last + 1);
        return w;
    }

    /** Number of the segment being written. */
    public int segment() {
        return segment;
    }

    /**
     * Appends one record ({@code record[off, off+len)}) to the current page, writing out pages as they fill. Bytes
     * of the last, partial page stay buffered until {@link #flush()}.
     *
     * @return the number of bytes the record occupies in the log (fragment headers and compression included)
     * @throws IllegalArgumentException if {@code len} exceeds {@link WalRecord#MAX_SIZE}
     */
    public int append(byte[] record, int off, int len) throws IOException {
        if (len > WalRecord.MAX_SIZE) {
            throw new IllegalArgumentException("WAL record of " + len + " bytes exceeds " + WalRecord.MAX_SIZE);
        }
        byte[] src = record;
        int pos = off;
        int left = len;
        int flag = 0;
        if (compress && len > 0) {
            int max = Snappy.maxCompressedLength(len);
            if (compressed.length < max) {
                compressed = new byte[Math.max(max, compressed.length * 2)];  // grow in steps, not per byte
            }
            int n = Snappy.compress(record, off, len, compressed, 0);
            if (n < len) {
                src = compressed;
                pos = 0;
                left = n;
                flag = WalFragment.SNAPPY_FLAG;
            }
        }
        long free = (long) (WalFragment.PAGE_SIZE - alloc - WalFragment.HEADER_SIZE)
                + (long) WalFragment.MAX_DATA * (pagesPerSegment - donePages - 1);
        if (left > free && (donePages > 0 || alloc > 0)) {
            next();
        }
        int written = 0;
        for (int i = 0; i == 0 || left > 0; i++) {
            int n = Math.min(left, WalFragment.PAGE_SIZE - alloc - WalFragment.HEADER_SIZE);
            int type;
            if (i == 0) {
                type = n == left ? WalFragment.FULL : WalFragment.FIRST;
            } else {
                type = n == left ? WalFragment.LAST : WalFragment.MIDDLE;
            }
            crc.reset();
            crc.update(src, pos, n);
            page.put(alloc + WalFragment.TYPE_OFFSET, (byte) (type | flag));
            page.putShort(alloc + WalFragment.LENGTH_OFFSET, (short) n);
            page.putInt(alloc + WalFragment.CRC_OFFSET, (int) crc.getValue());
            page.put(alloc + WalFragment.DATA_OFFSET, src, pos, n);
            alloc += WalFragment.HEADER_SIZE + n;
            written += WalFragment.HEADER_SIZE + n;
            pos += n;
            left -= n;
            if (WalFragment.PAGE_SIZE - alloc < WalFragment.HEADER_SIZE) {
                written += WalFragment.PAGE_SIZE - alloc;
                writePage(true);
            }
        }
        return written;
    }

    /** Writes the buffered bytes of the current page to the segment file (not yet durable: see {@link #sync()}). */
    public void flush() throws IOException {
        if (alloc > flushed) {
            writePage(false);
        }
    }

    /** {@link #flush()}, then forces the segment's data to disk. */
    public void sync() throws IOException {
        flush();
        file.force(false);
        syncedPos = (long) donePages * WalFragment.PAGE_SIZE + flushed;
    }

    /**
     * Continues the log after a failed write or sync, as Prometheus does: cuts the current segment back to what the
     * last successful {@link #sync()} made durable (the failed writes' bytes, possibly torn, must not be replayed, nor
     * read as corruption ahead of good segments), closes it and starts the next segment. If this fails too, the
     * writer stays unusable until a later call succeeds.
     */
    public void recover() throws IOException {
        if (file != null) {
            file.truncate(syncedPos);
            file.force(false);
            file.close();
            file = null;
        }
        page.put(0, ZEROS, 0, WalFragment.PAGE_SIZE);
        alloc = 0;
        flushed = 0;
        donePages = 0;
        create(segment + 1);
    }

    /**
     * Ends the current segment (zero-padding its last page, fsync) and starts the next one.
     *
     * @return the number of the new segment
     */
    public int cut() throws IOException {
        next();
        return segment;
    }

    /** Zero-pads the last page, fsyncs and closes the segment. */
    @Override
    public void close() throws IOException {
        if (file == null) {
            return;
        }
        try {
            if (alloc > 0) {
                writePage(true);
            }
            file.force(false);
        } finally {
            file.close();
            file = null;
        }
    }

    private void next() throws IOException {
        if (alloc > 0) {
            writePage(true);
        }
        // The finished segment is durable before the next one can hold anything, so a crash never leaves a
        // complete newer segment behind a torn older one.
        file.force(false);
        file.close();
        file = null;
        create(segment + 1);
    }

    private void create(int index) throws IOException {
        file = opener.open(WalSegments.path(dir, index));
        segment = index;
        syncedPos = 0;
        alloc = 0;
        flushed = 0;
        donePages = 0;
        syncDir(dir);
    }

    /** Writes {@code [flushed, alloc)}, or up to the page end when {@code pad}, then starts a fresh page if padded. */
    private void writePage(boolean pad) throws IOException {
        int end = pad ? WalFragment.PAGE_SIZE : alloc;
        pageView.clear().position(flushed).limit(end);
        while (pageView.hasRemaining()) {
            file.write(pageView);
        }
        flushed = end;
        if (pad) {
            page.put(0, ZEROS, 0, alloc);
            alloc = 0;
            flushed = 0;
            donePages++;
        }
    }

    /** Makes created, renamed or deleted entries of {@code dir} durable. */
    public static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
