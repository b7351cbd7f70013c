package io.jreceive.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.jreceive.chunk.ChunkSegmentHeader;
import io.jreceive.chunk.ChunkSegmentWriter;
import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorChunk;
import io.jreceive.index.IndexWriter;
import io.jreceive.labels.Labels;

/**
 * Persists series as a Prometheus TSDB block directory that Prometheus, promtool and Thanos read:
 * <pre>
 *  &lt;ULID&gt;/chunks/000001 ...   chunk segments ({@link ChunkSegmentWriter})
 *  &lt;ULID&gt;/index               index v2 ({@link IndexWriter})
 *  &lt;ULID&gt;/tombstones          empty ({@link Tombstones})
 *  &lt;ULID&gt;/meta.json           {@link BlockMeta}, level 1, with a {@code thanos} section (source "receive")
 * </pre>
 * Everything is written into {@code <ULID>.tmp-for-creation/}, each file and directory is synced, and only then the
 * directory is renamed to {@code <ULID>} and the parent synced, so a crash leaves either a complete block or a
 * temporary directory that startup deletes. The ULID carries the real creation time.
 */
public final class BlockWriter {
    /** Suffix of the directory a block is assembled in. */
    public static final String TMP_SUFFIX = ".tmp-for-creation";
    public static final String INDEX_FILE = "index";
    public static final String CHUNKS_DIR = "chunks";

    private BlockWriter() {
    }

    /** {@link #write(Path, long, long, Iterable, Map, long)} with 512 MiB chunk segment files. */
    public static BlockMeta write(Path parentDir, long minTime, long maxTime,
            Iterable<? extends ChunkSeries> seriesSortedByLabels, Map<String, String> thanosExternalLabels)
            throws IOException {
        return write(parentDir, minTime, maxTime, seriesSortedByLabels, thanosExternalLabels,
                ChunkSegmentHeader.DEFAULT_MAX_SIZE);
    }

    /**
     * {@link #write(Path, long, long, Iterable, Map)} with Prometheus' compaction {@code hints} in the meta (for
     * instance {@code from-out-of-order}); none is the plain head block.
     */
    public static BlockMeta write(Path parentDir, long minTime, long maxTime,
            Iterable<? extends ChunkSeries> seriesSortedByLabels, Map<String, String> thanosExternalLabels,
            List<String> hints) throws IOException {
        return write(parentDir, minTime, maxTime, seriesSortedByLabels, thanosExternalLabels,
                ChunkSegmentHeader.DEFAULT_MAX_SIZE, hints);
    }

    /**
     * Writes one block under {@code parentDir} and returns its meta, or null when no series has a chunk (Prometheus
     * never persists empty blocks). Series without chunks are skipped. {@code seriesSortedByLabels} is iterated
     * twice: once for the symbols, once to write; both passes must yield the same series.
     *
     * @param minTime              block start, inclusive; no chunk may start before it
     * @param maxTime              block end, exclusive; no chunk may end at or after it
     * @param seriesSortedByLabels series in strictly ascending {@link Labels} order, each with its chunks (any encoding)
     * @param thanosExternalLabels the {@code thanos.labels} of the meta (the tenant's external labels)
     * @param maxSegmentSize       cap of a chunk segment file in bytes
     * @throws IllegalArgumentException if the series are unordered, a chunk lies outside the block range, or chunks
     *                                  overlap; nothing is left behind then
     */
    public static BlockMeta write(Path parentDir, long minTime, long maxTime,
            Iterable<? extends ChunkSeries> seriesSortedByLabels, Map<String, String> thanosExternalLabels,
            long maxSegmentSize) throws IOException {
        return write(parentDir, minTime, maxTime, seriesSortedByLabels, thanosExternalLabels, maxSegmentSize,
                List.of());
    }

    private static BlockMeta write(Path parentDir, long minTime, long maxTime,
            Iterable<? extends ChunkSeries> seriesSortedByLabels, Map<String, String> thanosExternalLabels,
            long maxSegmentSize, List<String> hints) throws IOException {
        if (minTime >= maxTime) {
            throw new IllegalArgumentException("empty block range [" + minTime + ", " + maxTime + ")");
        }
        TreeSet<byte[]> symbols = new TreeSet<>(Arrays::compareUnsigned);
        for (ChunkSeries s : seriesSortedByLabels) {
            if (s.numChunks() == 0) {
                continue;
            }
            for (byte[] str : s.labels().pairs()) {
                symbols.add(str);
            }
        }
        if (symbols.isEmpty()) {
            return null;
        }
        Ulid ulid = Ulid.generate(System.currentTimeMillis());
        Path tmp = parentDir.resolve(ulid + TMP_SUFFIX);
        Path dir = parentDir.resolve(ulid.toString());
        try {
            deleteRecursively(tmp);
            Files.createDirectories(tmp);
            BlockMeta meta = writeFiles(tmp, ulid, minTime, maxTime, symbols, seriesSortedByLabels,
                    thanosExternalLabels, maxSegmentSize, hints);
            syncDir(tmp);
            CrashPoint.reach(CrashPoint.BLOCK_BEFORE_RENAME);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            syncDir(parentDir);
            return meta;
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static BlockMeta writeFiles(Path tmp, Ulid ulid, long minTime, long maxTime, TreeSet<byte[]> symbols,
            Iterable<? extends ChunkSeries> series, Map<String, String> externalLabels, long maxSegmentSize,
            List<String> hints) throws IOException {
        Path chunksDir = tmp.resolve(CHUNKS_DIR);
        long numSeries = 0;
        long numChunks = 0;
        long numSamples = 0;
        long numHistogramSamples = 0;
        long[] mins = new long[16];
        long[] maxs = new long[16];
        long[] refs = new long[16];
        List<Path> segments;
        try (ChunkSegmentWriter chunks = new ChunkSegmentWriter(chunksDir, maxSegmentSize);
                IndexWriter index = new IndexWriter(tmp.resolve(INDEX_FILE))) {
            index.symbols(symbols);
            for (ChunkSeries s : series) {
                int n = s.numChunks();
                if (n == 0) {
                    continue;
                }
                if (mins.length < n) {
                    mins = new long[n];
                    maxs = new long[n];
                    refs = new long[n];
                }
                for (int i = 0; i < n; i++) {
                    long mint = s.minTime(i);
                    long maxt = s.maxTime(i);
                    if (mint < minTime || maxt >= maxTime) {
                        throw new IllegalArgumentException("chunk [" + mint + ", " + maxt + "] of " + s.labels()
                                + " outside block range [" + minTime + ", " + maxTime + ")");
                    }
                    byte[] data = s.data(i);
                    byte encoding = s.encoding(i);
                    int samples = XorChunk.numSamples(data); // the same uint16 in front of every encoding
                    if (samples == 0) {
                        throw new IllegalArgumentException("chunk " + i + " of " + s.labels() + " has no samples");
                    }
                    numSamples += samples;
                    if (encoding != XorChunk.ENCODING) {
                        numHistogramSamples += samples;
                    }
                    mins[i] = mint;
                    maxs[i] = maxt;
                    refs[i] = chunks.append(encoding, data, 0, data.length);
                }
                index.addSeries(s.labels(), n, mins, maxs, refs);
                numSeries++;
                numChunks += n;
            }
            index.finish();
            segments = new ArrayList<>(chunks.files());
        }
        syncDir(chunksDir);
        Tombstones.writeEmpty(tmp);

        List<String> segmentNames = new ArrayList<>();
        List<BlockMeta.FileEntry> files = new ArrayList<>();
        for (Path p : segments) {
            segmentNames.add(p.getFileName().toString());
            files.add(new BlockMeta.FileEntry(CHUNKS_DIR + "/" + p.getFileName(), Files.size(p), null));
        }
        files.add(new BlockMeta.FileEntry(INDEX_FILE, Files.size(tmp.resolve(INDEX_FILE)), null));
        files.add(new BlockMeta.FileEntry(BlockMeta.FILE_NAME, 0, null));
        files.sort(Comparator.comparing(BlockMeta.FileEntry::relPath, BlockMeta.UTF8_ORDER));
        BlockMeta meta = new BlockMeta(ulid.toString(), minTime, maxTime,
                new BlockMeta.Stats(numSamples, numSamples - numHistogramSamples, numHistogramSamples, numSeries,
                        numChunks, 0),
                hints.isEmpty() ? BlockMeta.Compaction.level1(ulid.toString())
                        : new BlockMeta.Compaction(1, List.of(ulid.toString()), false, null, false, List.copyOf(hints)),
                BlockMeta.VERSION,
                new BlockMeta.Thanos(0, externalLabels, new BlockMeta.Downsample(0), BlockMeta.SOURCE_RECEIVE,
                        segmentNames, files, new BlockMeta.IndexStats(0, 0)));
        meta.write(tmp);
        return meta;
    }

    /** Syncs a directory's entries (file creations, renames) to disk. */
    public static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
