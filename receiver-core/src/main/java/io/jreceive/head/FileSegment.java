package io.jreceive.head;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClosedChunkSegment} in a head chunk file ({@link HeadChunkFileLayout}, Prometheus' {@code chunks_head}
 * format), written through a small direct buffer and read with positional reads, so its bytes live in the page
 * cache, not in the process: the reason closed chunks go to files at all (Prometheus maps its {@code chunks_head}
 * files for the same reason). Each chunk is written as a record naming its series and time range, so that a restart
 * can map the file back to its series ({@link ClosedChunks#files}) instead of rebuilding its chunks from the WAL.
 * Offsets this segment hands out are those of a chunk's data within its record.
 *
 * <p>When a flush fails (a full disk, say), the segment stops taking writes and keeps its unflushed tail in the
 * buffer, so every chunk it accepted stays readable; the store then writes to the heap.
 *
 * <p>Interrupts do not reach the file. A {@link FileChannel} closes itself for every user when a thread is
 * interrupted in one of its calls, and the threads that read and write head chunks are interrupted at times (an
 * executor's {@code shutdownNow} stops a block cut that is reading the head). So each call runs with the caller's
 * interrupt status cleared and set again afterwards, and a channel that an interrupt closed during a call is
 * reopened and the call repeated ({@link #io}).
 */
final class FileSegment implements ClosedChunkSegment {
    private static final Logger LOG = LoggerFactory.getLogger(FileSegment.class);
    static final int BUFFER_BYTES = 64 * 1024;

    private final Path path;
    /** Reopened after an interrupt closed it ({@link #io}). */
    private FileChannel ch;
    private final int capacity;
    private ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    /** Bytes in the file; the rest of {@link #size} is in {@link #buf}. */
    private long flushed;
    private boolean failed;
    private final CRC32C crc = new CRC32C();

    /**
     * A new segment over an open, empty channel (its file at {@code path}), its file header in the buffer;
     * {@link #create} is the usual way.
     */
    FileSegment(Path path, FileChannel ch, int capacity) {
        this.path = path;
        this.ch = ch;
        this.capacity = capacity;
        buf.putInt(HeadChunkFileLayout.MAGIC).put(HeadChunkFileLayout.VERSION);
        buf.put(new byte[HeadChunkFileLayout.PADDING_LENGTH]);
    }

    /** A sealed segment over a file a previous process wrote, whose first {@code size} bytes are valid records. */
    private FileSegment(Path path, FileChannel ch, int capacity, long size) {
        this.path = path;
        this.ch = ch;
        this.capacity = capacity;
        this.flushed = size;
        this.buf = null;
    }

    static FileSegment create(Path path, int capacity) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new FileSegment(path, ch, capacity);
    }

    /** Opens a recovered file read-only (the recovery cut it to its {@code size} valid bytes): it takes no writes. */
    static FileSegment recovered(Path path, int capacity, long size) throws IOException {
        return new FileSegment(path, FileChannel.open(path, StandardOpenOption.READ), capacity, size);
    }

    /** One positional read or write on the channel. */
    @FunctionalInterface
    private interface ChannelCall {
        int run(FileChannel ch) throws IOException;
    }

    /**
     * Runs {@code call} shielded from interrupts: with the caller's interrupt status cleared (a pending interrupt
     * would close the channel at once) and restored afterwards; when an interrupt arriving during the call closed
     * the channel anyway, the file is reopened and the call repeated, as often as new interrupts make it fail.
     * Positional calls are idempotent, so a repeated write only writes the same bytes at the same place again.
     */
    private int io(ChannelCall call) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return call.run(ch);
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    ch = buf == null ? FileChannel.open(path, StandardOpenOption.READ)
                            : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    LOG.debug("head chunk file {}: reopened after an interrupt closed it", path);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether a flush failed (the store then stops using files for a while). */
    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public int write(long seriesRef, long mint, long maxt, byte encoding, byte[] src, int len) {
        final int record = HeadChunkFileLayout.recordSize(len);
        if (failed || buf == null || size() + record > capacity) {
            return -1;
        }
        if (buf.remaining() < record && !flush()) {
            return -1;
        }
        final ByteBuffer b = buf;
        final int start = b.position();
        b.putLong(seriesRef).putLong(mint).putLong(maxt).put(encoding);
        for (int v = len; ; v >>>= 7) {
            if ((v & ~0x7F) == 0) {
                b.put((byte) v);
                break;
            }
            b.put((byte) ((v & 0x7F) | 0x80));
        }
        final int offset = (int) (flushed + b.position());
        b.put(src, 0, len);
        crc.reset();
        crc.update(b.duplicate().position(start).limit(b.position()));
        b.putInt((int) crc.getValue());
        return offset;
    }

    /**
     * Writes the buffer to the file; false if that fails: the segment is failed then, and the buffer holds the bytes
     * not written, from its start (file offsets {@code flushed} on).
     */
    private boolean flush() {
        buf.flip();
        try {
            while (buf.hasRemaining()) {
                flushed += io(c -> c.write(buf, flushed));
            }
            buf.clear();
            return true;
        } catch (IOException e) {
            failed = true;
            buf.compact();
            LOG.warn("head chunk file {}: write failed, keeping its chunks in memory from here on: {}", path,
                    e.toString());
            return false;
        }
    }

    @Override
    public void read(int offset, byte[] dst) {
        // A chunk is in the file, in the buffer, or (after a partly failed flush) split between the two.
        int fromFile = (int) Math.max(0, Math.min(dst.length, flushed - offset));
        if (fromFile > 0) {
            ByteBuffer into = ByteBuffer.wrap(dst, 0, fromFile);
            try {
                while (into.hasRemaining()) {
                    if (io(c -> c.read(into, offset + into.position())) < 0) {
                        throw new IOException("unexpected end of file at " + (offset + into.position()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("head chunk file " + path, e);
            }
        }
        if (fromFile < dst.length) {
            buf.get((int) (offset + fromFile - flushed), dst, fromFile, dst.length - fromFile);
        }
    }

    @Override
    public void seal() {
        if (buf != null && !failed && flush()) {
            buf = null;
        }
    }

    @Override
    public long size() {
        return flushed + (buf == null ? 0 : buf.position());
    }

    @Override
    public void close() {
        seal();
        try {
            ch.close();
        } catch (IOException e) {
            LOG.warn("head chunk file {}: could not close: {}", path, e.toString());
        }
    }

    @Override
    public void release() {
        buf = null;
        try {
            ch.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("head chunk file {}: could not delete: {}", path, e.toString());
        }
    }
}
