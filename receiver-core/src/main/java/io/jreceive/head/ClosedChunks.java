package io.jreceive.head;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a head keeps the bytes of its closed chunks (the open ones stay in their series): append-only segments,
 * the newest written to, each freed whole once a truncation has dropped every chunk in it. A chunk is named by a
 * 64-bit reference, {@code segment id (24 bits) | offset (28) | length (12)}, which is all its series holds of it.
 *
 * <p>{@link #files} keeps segments in files in a scratch directory, so closed chunks cost the process no memory
 * (Prometheus keeps them in its memory-mapped {@code chunks_head} files for the same reason); a segment file that
 * cannot be created or written is replaced by a heap segment until the next truncation. {@link #inMemory} keeps
 * them on the heap, for heads that live briefly (the warm-up, tests, benchmarks).
 *
 * <p>Thread-safe: every call is serialised. Callers hold a series lock around {@link #write} and {@link #read},
 * never the other way round.
 */
public final class ClosedChunks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClosedChunks.class);

    static final int LENGTH_BITS = 12;
    static final int OFFSET_BITS = 28;
    static final int ID_BITS = 24;
    private static final int ID_MASK = (1 << ID_BITS) - 1;
    private static final int OFFSET_MASK = (1 << OFFSET_BITS) - 1;
    /** The largest chunk a reference can name; cut chunks stay far below (1024 bytes at most, as Prometheus'). */
    static final int MAX_CHUNK_BYTES = (1 << LENGTH_BITS) - 1;
    static final int FILE_SEGMENT_BYTES = 128 << 20;
    static final int HEAP_SEGMENT_BYTES = 1 << 20;

    private final Path dir;
    private final int segmentBytes;
    /** Live segments, oldest first; the last is written to. */
    private final List<Slot> segments = new ArrayList<>();
    /** Id of {@code segments.get(0)}; ids grow by one per segment and are taken modulo 2^{@link #ID_BITS}. */
    private int firstId;
    /** A segment file failed: heap segments until the next truncation. */
    private boolean filesFailed;
    private long nextFile;

    private static final class Slot {
        final ClosedChunkSegment segment;
        /** The newest end time of a chunk written to the segment. */
        long maxt = Long.MIN_VALUE;

        Slot(ClosedChunkSegment segment) {
            this.segment = segment;
        }
    }

    private ClosedChunks(Path dir, int segmentBytes) {
        if (segmentBytes <= MAX_CHUNK_BYTES || segmentBytes > 1 << OFFSET_BITS) {
            throw new IllegalArgumentException("segment size " + segmentBytes);
        }
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** A store on the heap. */
    public static ClosedChunks inMemory() {
        return inMemory(HEAP_SEGMENT_BYTES);
    }

    static ClosedChunks inMemory(int segmentBytes) {
        return new ClosedChunks(null, segmentBytes);
    }

    /**
     * A store in segment files under {@code dir}, created if needed; files a previous process left there are
     * deleted first (the WAL replay rebuilds what they held).
     */
    public static ClosedChunks files(Path dir) throws IOException {
        return files(dir, FILE_SEGMENT_BYTES);
    }

    static ClosedChunks files(Path dir, int segmentBytes) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Files.delete(p);
            }
        }
        return new ClosedChunks(dir, segmentBytes);
    }

    /** Stores {@code src[0, len)}, a chunk whose newest sample is at {@code maxt}; returns its reference. */
    public synchronized long write(byte[] src, int len, long maxt) {
        if (len > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk of " + len + " bytes");
        }
        int offset = segments.isEmpty() ? -1 : last().segment.write(src, len);
        if (offset < 0) {
            roll();
            offset = last().segment.write(src, len);
        }
        Slot s = last();
        s.maxt = Math.max(s.maxt, maxt);
        long id = (firstId + segments.size() - 1) & ID_MASK;
        return (id << (OFFSET_BITS + LENGTH_BITS)) | ((long) offset << LENGTH_BITS) | len;
    }

    private Slot last() {
        return segments.get(segments.size() - 1);
    }

    /** Seals the segment written to (noting whether its file failed) and starts the next. */
    private void roll() {
        if (!segments.isEmpty()) {
            ClosedChunkSegment s = last().segment;
            s.seal();
            filesFailed |= s.failed();
        }
        segments.add(new Slot(newSegment()));
    }

    private ClosedChunkSegment newSegment() {
        if (dir != null && !filesFailed) {
            Path p = dir.resolve(String.format("%06d", ++nextFile));
            try {
                return FileSegment.create(p, segmentBytes);
            } catch (IOException e) {
                filesFailed = true;
                LOG.warn("head chunk file {} could not be created, keeping closed chunks in memory until the next "
                        + "truncation: {}", p, e.toString());
            }
        }
        return new HeapSegment(Math.min(segmentBytes, HEAP_SEGMENT_BYTES));
    }

    /** A copy of the chunk {@code ref} names. */
    public synchronized byte[] read(long ref) {
        int id = (int) (ref >>> (OFFSET_BITS + LENGTH_BITS));
        int index = (id - firstId) & ID_MASK;
        if (index >= segments.size()) {
            throw new IllegalStateException("chunk reference " + Long.toHexString(ref) + " names a freed segment");
        }
        byte[] out = new byte[(int) (ref & MAX_CHUNK_BYTES)];
        segments.get(index).segment.read((int) ((ref >>> LENGTH_BITS) & OFFSET_MASK), out);
        return out;
    }

    /**
     * Frees the oldest segments whose chunks all end before {@code t}: the caller has dropped every such chunk from
     * its series. The segment written to stays. After a file failure, files are tried again from here.
     */
    public synchronized void dropBefore(long t) {
        while (segments.size() > 1 && segments.get(0).maxt < t) {
            segments.remove(0).segment.release();
            firstId++;
        }
        if (filesFailed) {
            filesFailed = false;
            roll();
        }
    }

    /** Bytes in live segments (chunks dropped but not yet freed with their segment included). */
    public synchronized long bytes() {
        long n = 0;
        for (Slot s : segments) {
            n += s.segment.size();
        }
        return n;
    }

    /** Frees every segment. */
    @Override
    public synchronized void close() {
        for (Slot s : segments) {
            s.segment.release();
        }
        segments.clear();
    }
}
