package io.jreceive.block;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JacksonException;

import io.jreceive.chunk.ChunkSegmentHeader;
import io.jreceive.chunk.ChunkSegmentReader;
import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.FloatHistogramChunk;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.chunk.XorChunk;
import io.jreceive.index.IndexReader;
import io.jreceive.index.SeriesEntry;
import io.jreceive.index.SeriesIndex;
import io.jreceive.labels.Labels;

/**
 * An open block: its meta, its memory-mapped index and chunk segments, seen through {@link SeriesIndex} with series
 * references being index series IDs. Opening verifies meta.json (version 1), the index's header, TOC, symbol and
 * postings offset tables, every chunk segment's header and the tombstones file; postings, series entries and chunks
 * are verified as they are read. Every failed check is a {@link CorruptBlockException} naming the file. Tombstones
 * are not applied (jreceive writes none). Reads are thread-safe.
 *
 * <p>The mappings are reference counted, as Prometheus' pending readers: the opener holds one reference, released
 * by {@link #close()}; a query {@link #acquire() acquires} one (through a {@link ReadLease}) before its first read
 * and releases it when it ends. The files are unmapped when the last reference goes, so a block that retention or
 * tenant pruning retires while a slow Series stream reads it stays readable until that stream ends.
 */
public final class BlockReader implements SeriesIndex, Closeable {
    private final Path dir;
    private final BlockMeta meta;
    private final IndexReader index;
    private final ChunkSegmentReader chunks;
    /** The opener's reference plus one per reader; 0 = unmapped. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private BlockReader(Path dir, BlockMeta meta, IndexReader index, ChunkSegmentReader chunks) {
        this.dir = dir;
        this.meta = meta;
        this.index = index;
        this.chunks = chunks;
    }

    /** Opens the block in {@code blockDir}. */
    public static BlockReader open(Path blockDir) throws IOException {
        Path metaFile = blockDir.resolve(BlockMeta.FILE_NAME);
        BlockMeta meta;
        try {
            meta = BlockMeta.read(blockDir);
        } catch (JacksonException e) {
            throw CorruptBlockException.format(metaFile, 0, "unparsable meta.json: " + e.getOriginalMessage(), e);
        }
        if (meta.version() != BlockMeta.VERSION) {
            throw CorruptBlockException.format(metaFile, 0, "unexpected meta file version " + meta.version());
        }
        Tombstones.read(blockDir);
        IndexReader index = IndexReader.open(blockDir.resolve(BlockWriter.INDEX_FILE));
        try {
            return new BlockReader(blockDir, meta, index, ChunkSegmentReader.open(blockDir.resolve(
                    BlockWriter.CHUNKS_DIR)));
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public BlockMeta meta() {
        return meta;
    }

    public IndexReader index() {
        return index;
    }

    public ChunkSegmentReader chunks() {
        return chunks;
    }

    @Override
    public List<byte[]> labelNames() {
        return index.labelNames();
    }

    @Override
    public List<byte[]> labelValues(byte[] name) {
        return index.labelValues(name);
    }

    @Override
    public int[] postings(byte[] name, byte[] value) {
        return index.postings(name, value);
    }

    @Override
    public int[] allPostings() {
        return index.allPostings();
    }

    @Override
    public boolean refsSortedByLabels() {
        return true;
    }

    @Override
    public Labels labels(int ref) {
        return index.labels(ref);
    }

    @Override
    public ChunkSeries series(int ref, long mint, long maxt) {
        SeriesEntry e = new SeriesEntry();
        index.series(ref, e);
        int n = 0;
        for (int i = 0; i < e.numChunks(); i++) {
            if (e.minTime(i) <= maxt && e.maxTime(i) >= mint) {
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        long[] mins = new long[n];
        long[] maxs = new long[n];
        byte[][] data = new byte[n][];
        byte[] encodings = new byte[n];
        int k = 0;
        for (int i = 0; i < e.numChunks(); i++) {
            if (e.minTime(i) <= maxt && e.maxTime(i) >= mint) {
                long cref = e.ref(i);
                byte enc = chunks.encoding(cref);
                if (enc != XorChunk.ENCODING && enc != HistogramChunk.ENCODING
                        && enc != FloatHistogramChunk.ENCODING) {
                    throw CorruptBlockException.format(chunks.files().get(ChunkSegmentHeader.position(cref)),
                            ChunkSegmentHeader.offset(cref), "unsupported chunk encoding " + enc);
                }
                mins[k] = e.minTime(i);
                maxs[k] = e.maxTime(i);
                data[k] = chunks.data(cref);
                encodings[k] = enc;
                k++;
            }
        }
        return new SeriesChunks(e.labels(), mins, maxs, data, encodings);
    }

    /** Takes a reference for a reader; false when the block is already unmapped (retired and read by no one). */
    public boolean acquire() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a reference taken by {@link #acquire()}; the last one unmaps the files. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            try {
                index.close();
            } finally {
                chunks.close();
            }
        } else if (r < 0) {
            throw new IllegalStateException("block " + meta.ulid() + " released more often than acquired");
        }
    }

    /** Whether the files are still mapped (the opener or a reader holds a reference). */
    public boolean mapped() {
        return refs.get() > 0;
    }

    /** Releases the opener's reference (once); the files are unmapped now or when the last reader is done. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }
}
