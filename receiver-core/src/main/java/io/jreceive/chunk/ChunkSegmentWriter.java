package io.jreceive.chunk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.Varint;

/**
 * Writes a block's chunk segment files {@code chunks/000001, 000002, ...} and hands back the reference of every chunk
 * it appends, for the index.
 *
 * <p>File format (see {@link ChunkSegmentHeader} for the byte diagram):
 * <pre>
 *  segment := magic(0x85BD40DD, 4 bytes BE) version(0x01) 0x00 0x00 0x00 chunk*
 *  chunk   := len(uvarint, length of data) encoding(1 byte) data(len bytes) crc(4 bytes BE)
 *  crc     := CRC-32C over encoding and data, not over len, as Prometheus computes it
 * </pre>
 * A chunk reference is {@code (0-based file position) << 32 | offset of its len field}. Before a chunk would make the
 * current file larger than the size cap, the file is synced and closed and the next one is started, so a chunk never
 * spans files (a single chunk larger than the cap gets a file of its own). {@link #close()} syncs the last file; the
 * caller syncs the directory.
 */
public final class ChunkSegmentWriter implements Closeable {
    private static final int BUFFER_SIZE = 1 << 20;

    private final Path dir;
    private final long maxSize;
    private final EncBuf buf = new EncBuf(BUFFER_SIZE + 64);
    private final CRC32C crc = new CRC32C();
    private final List<Path> files = new ArrayList<>();
    private FileChannel ch;
    /** Bytes of the current file, flushed plus buffered. */
    private long size;

    /** A writer into {@code dir} (created if missing) with the default 512 MiB cap. */
    public ChunkSegmentWriter(Path dir) throws IOException {
        this(dir, ChunkSegmentHeader.DEFAULT_MAX_SIZE);
    }

    /**
     * @param maxSize largest size of a segment file in bytes; at most {@link Integer#MAX_VALUE} so each file can be
     *                memory-mapped whole and every offset fits the 32 bits a reference holds
     */
    public ChunkSegmentWriter(Path dir, long maxSize) throws IOException {
        if (maxSize <= ChunkSegmentHeader.HEADER_SIZE || maxSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment size cap out of range: " + maxSize);
        }
        this.dir = dir;
        this.maxSize = maxSize;
        Files.createDirectories(dir);
    }

    /**
     * Appends one chunk and returns its reference.
     *
     * @param encoding the chunk encoding byte ({@link XorChunk#ENCODING} for float chunks)
     */
    public long append(byte encoding, byte[] data, int off, int len) throws IOException {
        long chunkSize = (long) Varint.uvarintSize(len) + ChunkSegmentHeader.ENCODING_LENGTH + len
                + ChunkSegmentHeader.CRC_LENGTH;
        if (ch == null || (size > ChunkSegmentHeader.HEADER_SIZE && size + chunkSize > maxSize)) {
            cut();
        }
        long ref = ChunkSegmentHeader.ref(files.size() - 1, size);
        crc.reset();
        crc.update(encoding);
        crc.update(data, off, len);
        buf.putUvarint(len).putByte(encoding).putBytes(data, off, len).putBE32((int) crc.getValue());
        size += chunkSize;
        if (buf.len() >= BUFFER_SIZE) {
            flush();
        }
        return ref;
    }

    /** Appends an XOR chunk's data bytes; see {@link #append(byte, byte[], int, int)}. */
    public long append(byte[] xorData) throws IOException {
        return append(XorChunk.ENCODING, xorData, 0, xorData.length);
    }

    /** The files written so far, in order. */
    public List<Path> files() {
        return Collections.unmodifiableList(files);
    }

    private void cut() throws IOException {
        finishFile();
        Path f = dir.resolve(ChunkSegmentHeader.fileName(files.size()));
        ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        files.add(f);
        buf.putBE32(ChunkSegmentHeader.MAGIC).putByte(ChunkSegmentHeader.VERSION);
        for (int i = 0; i < ChunkSegmentHeader.PADDING_LENGTH; i++) {
            buf.putByte(0);
        }
        size = ChunkSegmentHeader.HEADER_SIZE;
    }

    private void flush() throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf.array(), 0, buf.len());
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
        buf.reset();
    }

    private void finishFile() throws IOException {
        if (ch == null) {
            return;
        }
        try (FileChannel c = ch) {
            flush();
            c.force(true);
        } finally {
            ch = null;
        }
    }

    /** Flushes, syncs and closes the current file. Writes no file if nothing was appended. */
    @Override
    public void close() throws IOException {
        finishFile();
    }
}
