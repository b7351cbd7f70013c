package io.jreceive.chunk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import io.jreceive.block.CorruptBlockException;
import io.jreceive.block.FileMapping;

/**
 * Reads chunks by reference from a block's memory-mapped segment files (format in {@link ChunkSegmentWriter}).
 * Opening checks every file's magic and version; {@link #data(long)} checks the chunk's CRC and throws
 * {@link CorruptBlockException} naming the file, the chunk's offset and both checksums on a mismatch. Reads are safe
 * from many threads; {@link #close()} unmaps the files and must not race with reads.
 */
public final class ChunkSegmentReader implements Closeable {
    private final Path dir;
    private final Path[] files;
    private final MappedByteBuffer[] maps;

    private ChunkSegmentReader(Path dir, Path[] files, MappedByteBuffer[] maps) {
        this.dir = dir;
        this.files = files;
        this.maps = maps;
    }

    /** Maps every numerically named file of {@code dir} in numeric order; the directory may be empty. */
    public static ChunkSegmentReader open(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> ChunkSegmentHeader.isSegmentName(p.getFileName().toString()) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing((Path p) -> Long.parseLong(p.getFileName().toString())))
                    .forEach(found::add);
        }
        Path[] files = found.toArray(new Path[0]);
        MappedByteBuffer[] maps = new MappedByteBuffer[files.length];
        try {
            for (int i = 0; i < files.length; i++) {
                maps[i] = FileMapping.map(files[i]);
                checkHeader(files[i], maps[i]);
            }
        } catch (IOException | RuntimeException e) {
            unmapAll(maps);
            throw e;
        }
        return new ChunkSegmentReader(dir, files, maps);
    }

    private static void checkHeader(Path f, MappedByteBuffer m) {
        if (m.capacity() < ChunkSegmentHeader.HEADER_SIZE) {
            throw CorruptBlockException.format(f, 0, "segment file shorter than its " + ChunkSegmentHeader.HEADER_SIZE
                    + "-byte header (" + m.capacity() + " bytes)");
        }
        int magic = m.getInt(ChunkSegmentHeader.MAGIC_OFFSET);
        if (magic != ChunkSegmentHeader.MAGIC) {
            throw CorruptBlockException.format(f, ChunkSegmentHeader.MAGIC_OFFSET,
                    String.format("bad segment magic %08x, want %08x", magic, ChunkSegmentHeader.MAGIC));
        }
        int version = m.get(ChunkSegmentHeader.VERSION_OFFSET);
        if (version != ChunkSegmentHeader.VERSION) {
            throw CorruptBlockException.format(f, ChunkSegmentHeader.VERSION_OFFSET,
                    "unsupported segment version " + version);
        }
    }

    /** The segment files in reference order. */
    public List<Path> files() {
        return List.of(files);
    }

    /**
     * The encoding byte of the chunk at {@code ref} (not checksum-verified).
     *
     * @throws CorruptBlockException if the reference points outside the files or the file ends before the byte
     */
    public byte encoding(long ref) {
        MappedByteBuffer m = segment(ref);
        int p = dataLenEnd(ref, m);
        if (p >= m.capacity()) {
            throw CorruptBlockException.format(file(ref), ChunkSegmentHeader.offset(ref),
                    "chunk ends after its length prefix, at the end of the " + m.capacity() + "-byte file");
        }
        return m.get(p);
    }

    /**
     * The data bytes of the chunk at {@code ref} (without length, encoding or CRC), after verifying its CRC.
     *
     * @throws CorruptBlockException if the reference points outside the files, the chunk is truncated or its CRC does
     *                               not match
     */
    public byte[] data(long ref) {
        MappedByteBuffer m = segment(ref);
        int pos = (int) ChunkSegmentHeader.offset(ref);
        int lenEnd = dataLenEnd(ref, m);
        long len = readLen(ref, m);
        long end = (long) lenEnd + ChunkSegmentHeader.ENCODING_LENGTH + len + ChunkSegmentHeader.CRC_LENGTH;
        if (end > m.capacity()) {
            throw CorruptBlockException.format(file(ref), pos, "chunk of " + len + " bytes runs past the end of the "
                    + m.capacity() + "-byte file");
        }
        byte enc = m.get(lenEnd);
        byte[] data = new byte[(int) len];
        m.get(lenEnd + ChunkSegmentHeader.ENCODING_LENGTH, data, 0, data.length);
        CRC32C crc = new CRC32C();
        crc.update(enc);
        crc.update(data, 0, data.length);
        int computed = (int) crc.getValue();
        int stored = m.getInt((int) end - ChunkSegmentHeader.CRC_LENGTH);
        if (stored != computed) {
            throw CorruptBlockException.checksum(file(ref), pos, "chunk", stored, computed);
        }
        return data;
    }

    private Path file(long ref) {
        return files[ChunkSegmentHeader.position(ref)];
    }

    private MappedByteBuffer segment(long ref) {
        int p = ChunkSegmentHeader.position(ref);
        if (p < 0 || p >= maps.length) {
            throw CorruptBlockException.format(dir, ChunkSegmentHeader.offset(ref),
                    "segment index " + p + " out of range (" + maps.length + " segment files)");
        }
        long off = ChunkSegmentHeader.offset(ref);
        if (off < ChunkSegmentHeader.HEADER_SIZE || off >= maps[p].capacity()) {
            throw CorruptBlockException.format(files[p], off, "chunk offset outside the " + maps[p].capacity()
                    + "-byte segment file");
        }
        return maps[p];
    }

    /** Position of the encoding byte, after the length prefix. */
    private int dataLenEnd(long ref, MappedByteBuffer m) {
        int p = (int) ChunkSegmentHeader.offset(ref);
        int limit = Math.min(m.capacity(), p + ChunkSegmentHeader.MAX_LEN_LENGTH);
        for (int i = p; i < limit; i++) {
            if ((m.get(i) & 0x80) == 0) {
                return i + 1;
            }
        }
        throw CorruptBlockException.format(file(ref), p, "bad chunk length prefix");
    }

    private static long readLen(long ref, MappedByteBuffer m) {
        int p = (int) ChunkSegmentHeader.offset(ref);
        long v = 0;
        int shift = 0;
        while (true) {
            int b = m.get(p++) & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return v;
            }
            shift += 7;
        }
    }

    /** Unmaps the files. No read may run concurrently or afterwards. */
    @Override
    public void close() {
        unmapAll(maps);
    }

    private static void unmapAll(MappedByteBuffer[] maps) {
        for (int i = 0; i < maps.length; i++) {
            if (maps[i] != null) {
                FileMapping.unmap(maps[i]);
                maps[i] = null;
            }
        }
    }
}
