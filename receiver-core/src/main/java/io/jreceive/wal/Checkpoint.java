package io.jreceive.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.jreceive.encoding.EncBuf;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.labels.Labels;

/**
 * WAL checkpoints: {@code wal/checkpoint.NNNNNNNN/} ({@code %08d}, N = last segment covered) holds, in the ordinary
 * segment format, the series and samples of the previous checkpoint and of segments up to N that are still needed,
 * so those segments can be deleted. Replay reads the newest checkpoint, then segments above N.
 *
 * <p>{@link #create} writes {@code checkpoint.N.tmp/} (fsynced), renames it to {@code checkpoint.N}, then deletes
 * segments up to N and older checkpoints. A crash before the rename leaves a {@code .tmp} directory that readers
 * ignore and the next checkpoint deletes; a crash after it leaves extra segments or checkpoints that replay skips.
 */
public final class Checkpoint {
    private static final String PREFIX = "checkpoint.";
    private static final String TMP_SUFFIX = ".tmp";
    /** Buffered series or samples bytes that trigger writing a record: Prometheus flushes at 1 MiB as well. */
    private static final int FLUSH_BYTES = 1024 * 1024;

    private Checkpoint() {
    }

    /**
     * What a checkpoint kept and dropped.
     *
     * @param dir the new checkpoint directory
     */
    public record Stats(Path dir, long series, long droppedSeries, long samples, long droppedSamples) {
    }

    /** {@code checkpoint.%08d}. */
    public static String name(int index) {
        return PREFIX + WalSegments.name(index);
    }

    public static Path dir(Path walDir, int index) {
        return walDir.resolve(name(index));
    }

    /** Number of the newest checkpoint in {@code walDir}, or {@link WalSegments#NONE}. */
    public static int last(Path walDir) throws IOException {
        int last = WalSegments.NONE;
        for (int i : list(walDir)) {
            last = Math.max(last, i);
        }
        return last;
    }

    private static List<Integer> list(Path walDir) throws IOException {
        if (!Files.isDirectory(walDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(walDir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(PREFIX) && WalSegments.isNumber(n.substring(PREFIX.length())))
                    .map(n -> WalSegments.parse(n.substring(PREFIX.length()))).collect(Collectors.toList());
        }
    }

    /**
     * Checkpoints segments up to {@code last}: reads the newest checkpoint and segments after it up to {@code last},
     * keeps series whose ref passes {@code keepSeries} and samples with {@code t >= minTime} of kept series, writes
     * them as {@code checkpoint.last}, then deletes segments {@code <= last} and older checkpoints.
     *
     * @param last the newest segment to fold in; must be older than the newest segment, which a writer may be
     *             appending to
     * @throws WalCorruptionException if an input segment or checkpoint is corrupt; nothing is deleted then
     */
    public static Stats create(Path walDir, int last, LongPredicate keepSeries, long minTime, boolean compress)
            throws IOException {
        int previous = last(walDir);
        WalSegments.Range range = WalSegments.range(walDir);
        if (last < previous) {
            throw new IllegalArgumentException("checkpoint " + last + " is older than existing checkpoint "
                    + previous);
        }
        if (range.isEmpty() || last >= range.last()) {
            throw new IllegalArgumentException("checkpoint up to segment " + last + " would include the newest "
                    + "segment " + range.last() + " (it may be open for writing)");
        }
        int[] inputs = WalSegments.after(walDir, previous);
        int from = previous + 1;
        if (previous == WalSegments.NONE) {
            from = inputs.length == 0 ? 0 : inputs[0];
        }
        if (inputs.length == 0 || inputs[0] != from) {
            throw new IOException("WAL " + walDir + ": segment " + WalSegments.name(from) + " is missing");
        }

        deleteTmp(walDir);
        Path tmp = walDir.resolve(name(last) + TMP_SUFFIX);
        Filter filter = new Filter(keepSeries, minTime);
        try (WalSegmentWriter out = WalSegmentWriter.open(tmp, compress, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            filter.out = out;
            WalReader.Counts counts = new WalReader.Counts();
            if (previous != WalSegments.NONE) {
                Path cp = dir(walDir, previous);
                for (int s : WalSegments.after(cp, WalSegments.NONE)) {
                    WalReader.readSegment(WalSegments.path(cp, s), filter, counts);
                    filter.check();
                }
            }
            for (int s : inputs) {
                if (s > last) {
                    break;
                }
                WalReader.readSegment(WalSegments.path(walDir, s), filter, counts);
                filter.check();
            }
            filter.flush();
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
        WalSegmentWriter.syncDir(tmp);
        Path target = dir(walDir, last);
        if (Files.exists(target)) {
            deleteRecursively(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        WalSegmentWriter.syncDir(walDir);

        for (int s : WalSegments.list(walDir)) {
            if (s <= last) {
                Files.delete(WalSegments.path(walDir, s));
            }
        }
        for (int c : list(walDir)) {
            if (c < last) {
                deleteRecursively(dir(walDir, c));
            }
        }
        WalSegmentWriter.syncDir(walDir);
        return new Stats(target, filter.series, filter.droppedSeries, filter.samples, filter.droppedSamples);
    }

    private static void deleteTmp(Path walDir) throws IOException {
        try (Stream<Path> s = Files.list(walDir)) {
            for (Path p : s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(TMP_SUFFIX);
            }).collect(Collectors.toList())) {
                deleteRecursively(p);
            }
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(q);
            }
        }
    }

    /**
     * Keeps wanted entries and re-encodes them; series are written before samples at every flush, so a series
     * record still precedes the samples that refer to it.
     */
    private static final class Filter implements WalVisitor {
        private final LongPredicate keep;
        private final long minTime;
        private final EncBuf seriesBuf = new EncBuf(64 * 1024);
        private final EncBuf samplesBuf = new EncBuf(64 * 1024);
        private final SeriesRecordEncoder seriesEnc = new SeriesRecordEncoder().wrap(seriesBuf);
        private final SamplesRecordEncoder samplesEnc = new SamplesRecordEncoder().wrap(samplesBuf);
        private final EncBuf histBuf = new EncBuf(1024);
        private final EncBuf histCustomBuf = new EncBuf(1024);
        private final EncBuf floatHistBuf = new EncBuf(1024);
        private final EncBuf floatHistCustomBuf = new EncBuf(1024);
        private final HistogramRecordEncoder histEnc = new HistogramRecordEncoder().wrap(histBuf, histCustomBuf);
        private final HistogramRecordEncoder floatHistEnc =
                new HistogramRecordEncoder().wrap(floatHistBuf, floatHistCustomBuf);
        private WalSegmentWriter out;
        private IOException failure;
        long series;
        long droppedSeries;
        long samples;
        long droppedSamples;

        Filter(LongPredicate keep, long minTime) {
            this.keep = keep;
            this.minTime = minTime;
        }

        @Override
        public void onSeries(long ref, Labels labels) {
            if (!keep.test(ref)) {
                droppedSeries++;
                return;
            }
            seriesEnc.add(ref, labels);
            series++;
            maybeFlush();
        }

        @Override
        public void onSample(long ref, long t, long valueBits) {
            if (t < minTime || !keep.test(ref)) {
                droppedSamples++;
                return;
            }
            samplesEnc.add(ref, t, valueBits);
            samples++;
            maybeFlush();
        }

        @Override
        public void onHistogram(long ref, long t, Histogram h) {
            if (t < minTime || !keep.test(ref)) {
                droppedSamples++;
                return;
            }
            histEnc.add(ref, t, h);
            samples++;
            maybeFlush();
        }

        @Override
        public void onFloatHistogram(long ref, long t, FloatHistogram h) {
            if (t < minTime || !keep.test(ref)) {
                droppedSamples++;
                return;
            }
            floatHistEnc.add(ref, t, h);
            samples++;
            maybeFlush();
        }

        private void maybeFlush() {
            if (failure == null && (seriesBuf.len() >= FLUSH_BYTES || samplesBuf.len() >= FLUSH_BYTES
                    || histBuf.len() + histCustomBuf.len() >= FLUSH_BYTES
                    || floatHistBuf.len() + floatHistCustomBuf.len() >= FLUSH_BYTES)) {
                try {
                    flush();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }

        void flush() throws IOException {
            if (seriesBuf.len() > 0) {
                out.append(seriesBuf.array(), 0, seriesBuf.len());
                seriesEnc.wrap(seriesBuf);
            }
            if (samplesBuf.len() > 0) {
                out.append(samplesBuf.array(), 0, samplesBuf.len());
                samplesEnc.wrap(samplesBuf);
            }
            flush(histEnc, histBuf, histCustomBuf);
            flush(floatHistEnc, floatHistBuf, floatHistCustomBuf);
        }

        private void flush(HistogramRecordEncoder enc, EncBuf plain, EncBuf custom) throws IOException {
            if (enc.plainCount() > 0) {
                out.append(plain.array(), 0, plain.len());
            }
            if (enc.customCount() > 0) {
                out.append(custom.array(), 0, custom.len());
            }
            enc.wrap(plain, custom);
        }

        /** Rethrows a write failure from inside a visitor callback. */
        void check() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }
    }
}
