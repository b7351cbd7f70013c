package io.jreceive.head;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a head keeps the bytes of its closed chunks (the open ones stay in their series): append-only segments,
 * the newest written to, each freed whole once a truncation has dropped every chunk in it. A chunk is named by a
 * 64-bit reference, {@code segment id (24 bits) | offset (28) | length (12)}, which is all its series holds of it.
 *
 * <p>{@link #files} keeps segments in head chunk files (Prometheus' {@code chunks_head} format,
 * {@link HeadChunkFileLayout}), so closed chunks cost the process no memory and survive a restart: opening the
 * directory reads back every record a previous process wrote ({@link #takeRecovered()}), which the head maps to its
 * series while it replays the WAL's series records, so that replay skips the samples those chunks hold. Recovery
 * trusts only what it can check: the files must follow each other without a gap in their numbers (a gap is a file
 * that could not be created, whose chunks went to the heap and are gone), each record must pass its CRC, and the
 * first file or record that does not ends what is used: a torn record is cut off its file and every later file is
 * deleted, so the chunks kept are a prefix of those written and the WAL holds every sample after them. A segment
 * file that cannot be created or written is replaced by heap segments until a truncation has freed every chunk that
 * no file holds: files written after such chunks would hide their loss from a recovery (a series' later chunk in a
 * file, its earlier one gone with the process, and the replay skipping the earlier samples as held). Once the lost
 * chunks are in a block, the files before and after them make a consistent prefix again. {@link #inMemory} keeps
 * segments on the heap, for heads that live briefly (the warm-up, tests, benchmarks).
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
    /**
     * The largest chunk a reference can name; XOR chunks stay far below (1024 bytes at most, as Prometheus'), and
     * a histogram chunk above it (many buckets) stays on its series' heap.
     */
    static final int MAX_CHUNK_BYTES = (1 << LENGTH_BITS) - 1;
    static final int FILE_SEGMENT_BYTES = HeadChunkFileLayout.MAX_FILE_SIZE;
    static final int HEAP_SEGMENT_BYTES = 1 << 20;

    private final Path dir;
    private final int segmentBytes;
    /** Live segments, oldest first; the last is written to. */
    private final List<Slot> segments = new ArrayList<>();
    /** Id of {@code segments.get(0)}; ids grow by one per segment and are taken modulo 2^{@link #ID_BITS}. */
    private int firstId;
    /** A segment file failed: heap segments until a truncation frees every chunk outside files. */
    private boolean filesFailed;
    private long nextFile;
    /** What {@link #files} read back, until the head takes it. */
    private RecoveredChunks recovered;

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
     * A store in head chunk files under {@code dir}, created if needed; the files a previous process left there are
     * recovered as described above, and new chunks go to a new file.
     */
    public static ClosedChunks files(Path dir) throws IOException {
        return files(dir, FILE_SEGMENT_BYTES);
    }

    static ClosedChunks files(Path dir, int segmentBytes) throws IOException {
        Files.createDirectories(dir);
        ClosedChunks store = new ClosedChunks(dir, segmentBytes);
        store.recover();
        return store;
    }

    /** Reads back the files in {@link #dir} (see the class comment). */
    private void recover() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                long seq = HeadChunkFileLayout.sequence(p.getFileName().toString());
                if (seq > 0 && Files.isRegularFile(p)) {
                    files.put(seq, p);
                }
            }
        }
        RecoveredChunks.Builder found = new RecoveredChunks.Builder();
        String stop = null;
        long expected = -1;
        for (Map.Entry<Long, Path> e : files.entrySet()) {
            long seq = e.getKey();
            Path p = e.getValue();
            if (stop == null && expected >= 0 && seq != expected) {
                stop = "file " + HeadChunkFileLayout.fileName(expected) + " is missing";
            }
            if (stop != null) {
                LOG.warn("head chunk file {} deleted: {} before it", p, stop);
                Files.delete(p);
                continue;
            }
            expected = seq + 1;
            HeadChunkFileScan scan = HeadChunkFileScan.scan(p, segments.size(), found);
            if (scan.validEnd() < HeadChunkFileLayout.HEADER_SIZE) {
                stop = "file " + p.getFileName() + " has no valid header";
                LOG.warn("head chunk file {} deleted: {}", p, scan.problem());
                Files.delete(p);
                continue;
            }
            if (scan.problem() != null) {
                stop = "file " + p.getFileName() + " was cut at offset " + scan.validEnd();
                LOG.warn("head chunk file {}: {}; cutting it at offset {} and ignoring later files", p, scan.problem(),
                        scan.validEnd());
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validEnd());
                }
            }
            // New files follow the last one kept: the ones deleted after it are no gap.
            nextFile = seq;
            Slot s = new Slot(FileSegment.recovered(p, segmentBytes, scan.validEnd()));
            s.maxt = scan.maxt();
            segments.add(s);
        }
        recovered = found.build();
        if (!files.isEmpty()) {
            LOG.info("head chunk files in {}: {} kept with {} chunks", dir, segments.size(), recovered.size());
        }
    }

    /**
     * The chunks read back from a previous process's files (empty for a store on the heap); the head calls this
     * once, before its WAL replay, and maps them to its series.
     */
    synchronized RecoveredChunks takeRecovered() {
        RecoveredChunks r = recovered;
        recovered = null;
        return r == null ? RecoveredChunks.EMPTY : r;
    }

    /**
     * Stores {@code src[0, len)}, the chunk of series {@code seriesRef} spanning {@code [mint, maxt]} in Prometheus'
     * {@code encoding}; returns its reference.
     */
    public synchronized long write(long seriesRef, long mint, long maxt, byte encoding, byte[] src, int len) {
        if (len > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk of " + len + " bytes");
        }
        int offset = segments.isEmpty() ? -1 : last().segment.write(seriesRef, mint, maxt, encoding, src, len);
        if (offset < 0) {
            roll();
            offset = last().segment.write(seriesRef, mint, maxt, encoding, src, len);
        }
        Slot s = last();
        s.maxt = Math.max(s.maxt, maxt);
        return ref(firstId + segments.size() - 1, offset, len);
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
            Path p = dir.resolve(HeadChunkFileLayout.fileName(nextFile + 1));
            try {
                FileSegment f = FileSegment.create(p, segmentBytes);
                nextFile++;
                return f;
            } catch (IOException e) {
                filesFailed = true;
                LOG.warn("head chunk file {} could not be created, keeping closed chunks in memory until a "
                        + "truncation has freed them: {}", p, e.toString());
            }
        }
        return new HeapSegment(Math.min(segmentBytes, HEAP_SEGMENT_BYTES));
    }

    /** The reference of a chunk of {@code length} bytes at {@code offset} in the segment with id {@code id}. */
    static long ref(int id, int offset, int length) {
        return ((long) (id & ID_MASK) << (OFFSET_BITS + LENGTH_BITS)) | ((long) offset << LENGTH_BITS) | length;
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
     * Frees the oldest segments whose chunks all end before {@code t}, files and all: the caller has dropped every
     * such chunk from its series. The segment written to goes too when that holds for it (after a flush of the whole
     * head, say); the next chunk starts a new one. After a file failure, files are tried again from here.
     */
    public synchronized void dropBefore(long t) {
        while (!segments.isEmpty() && segments.get(0).maxt < t) {
            segments.remove(0).segment.release();
            firstId++;
        }
        if (filesFailed && !holdsChunksOutsideFiles()) {
            filesFailed = false;
            roll();
        }
    }

    /** Whether a live segment holds chunks no file has: a heap segment, or a file whose writes failed. */
    private boolean holdsChunksOutsideFiles() {
        for (Slot s : segments) {
            if (s.segment instanceof HeapSegment || s.segment.failed()) {
                return true;
            }
        }
        return false;
    }

    /** Bytes in live segments (chunks dropped but not yet freed with their segment included). */
    public synchronized long bytes() {
        long n = 0;
        for (Slot s : segments) {
            n += s.segment.size();
        }
        return n;
    }

    /**
     * Closes every segment: files keep what was written to them (the buffered tail included), for the next process
     * to recover. Nothing is read or written afterwards.
     */
    @Override
    public synchronized void close() {
        for (Slot s : segments) {
            s.segment.close();
        }
        segments.clear();
    }
}
