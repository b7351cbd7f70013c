package io.jreceive.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.encoding.FormatException;

/**
 * Replays a WAL directory into a {@link WalVisitor}: the newest {@code checkpoint.NNNNNNNN/} (if any), then every
 * segment numbered above it, in order, each record verified by {@link WalSegmentReader} and decoded by
 * {@link WalRecordDecoder}. Run it before opening a {@link WalWriter} on the directory.
 *
 * <p>Corruption handling in {@link #replay}, the same outcome as Prometheus' WAL repair: replay stops at the first
 * bad fragment or record, the segment holding it is truncated to the end of its last complete record (and
 * zero-padded to a page), and all later segments are deleted, because their records may refer to series whose
 * records were lost. A torn tail of the last segment, the normal result of a crash mid-write, is logged as a warning;
 * corruption with segments after it is logged as an error naming the file, offset, stored and computed CRC and the
 * segments removed. Neither is fatal: the result carries the exception. A corrupt checkpoint is fatal (it holds the
 * only copy of the series it lists) and is thrown. {@link #read} changes nothing and throws on any corruption.
 */
public final class WalReader {
    private static final Logger LOG = LoggerFactory.getLogger(WalReader.class);

    private WalReader() {
    }

    /** Replays {@code walDir}, repairing a corrupt or torn log as described above. A missing directory is empty. */
    public static ReplayStats replay(Path walDir, WalVisitor visitor) throws IOException {
        return run(walDir, visitor, true, WalSegments.NONE);
    }

    /**
     * Replays the segments of {@code walDir} numbered above {@code segment} (what was written after a head snapshot
     * taken when {@code segment} was the last), repairing as {@link #replay} does; the checkpoint is not read.
     */
    public static ReplayStats replayAfter(Path walDir, int segment, WalVisitor visitor) throws IOException {
        return run(walDir, visitor, true, segment);
    }

    /**
     * Reads the checkpoint and the segments up to {@code segment} (inclusive) without modifying them: the part of
     * the log a head snapshot taken when {@code segment} was the last stands for (its exemplars are not in it).
     */
    public static void readUpTo(Path walDir, int segment, WalVisitor visitor) throws IOException {
        Counts c = new Counts();
        int checkpoint = Checkpoint.last(walDir);
        if (checkpoint != WalSegments.NONE) {
            Path cp = Checkpoint.dir(walDir, checkpoint);
            for (int s : WalSegments.after(cp, WalSegments.NONE)) {
                readSegment(WalSegments.path(cp, s), visitor, c);
            }
        }
        for (int s : WalSegments.after(walDir, checkpoint)) {
            if (s > segment) {
                break;
            }
            readSegment(WalSegments.path(walDir, s), visitor, c);
        }
    }

    /** Reads {@code walDir} without modifying it. */
    public static ReplayStats read(Path walDir, WalVisitor visitor) throws IOException {
        return run(walDir, visitor, false, WalSegments.NONE);
    }

    /** Replays the checkpoint and the segments after it, or with {@code after} set only the segments after that. */
    private static ReplayStats run(Path walDir, WalVisitor visitor, boolean repair, int after) throws IOException {
        Counts c = new Counts();
        int checkpoint = after != WalSegments.NONE ? after : Checkpoint.last(walDir);
        if (checkpoint != WalSegments.NONE && after == WalSegments.NONE) {
            Path cp = Checkpoint.dir(walDir, checkpoint);
            for (int s : WalSegments.after(cp, WalSegments.NONE)) {
                readSegment(WalSegments.path(cp, s), visitor, c);
            }
        }
        int[] segments = WalSegments.after(walDir, checkpoint);
        if (checkpoint != WalSegments.NONE && segments.length > 0 && segments[0] != checkpoint + 1) {
            throw new IOException("WAL " + walDir + ": segment " + WalSegments.name(checkpoint + 1)
                    + " after " + (after == WalSegments.NONE ? "checkpoint." : "the snapshot's segment ")
                    + WalSegments.name(checkpoint) + " is missing (first is "
                    + WalSegments.name(segments[0]) + ")");
        }
        for (int i = 0; i < segments.length; i++) {
            Path file = WalSegments.path(walDir, segments[i]);
            try {
                readSegment(file, visitor, c);
            } catch (WalCorruptionException e) {
                if (!repair) {
                    throw e;
                }
                int removed = repair(walDir, segments, i, e);
                return new ReplayStats(checkpoint, segments[0], segments[i], c.records, c.series, c.samples,
                        c.exemplars, c.skipped, e, removed);
            }
        }
        return new ReplayStats(checkpoint, segments.length == 0 ? WalSegments.NONE : segments[0],
                segments.length == 0 ? WalSegments.NONE : segments[segments.length - 1], c.records, c.series,
                c.samples, c.exemplars, c.skipped, null, 0);
    }

    /** Reads every record of one segment file; throws {@link WalCorruptionException} at the first bad one. */
    static void readSegment(Path file, WalVisitor visitor, Counts c) throws IOException {
        try (WalSegmentReader r = new WalSegmentReader(file)) {
            while (r.next()) {
                int n;
                try {
                    n = WalRecordDecoder.decode(r.record(), 0, r.length(), visitor, c.batch);
                } catch (FormatException e) {
                    throw new WalCorruptionException(file, r.offset(), r.offset(),
                            "undecodable record: " + e.getMessage(), e);
                }
                c.records++;
                if (n < 0) {
                    c.skipped++;
                } else if (WalRecord.type(r.record()) == WalRecord.SERIES) {
                    c.series += n;
                } else if (WalRecord.type(r.record()) == WalRecord.EXEMPLARS) {
                    c.exemplars += n;
                } else {
                    c.samples += n;
                }
            }
        }
    }

    private static int repair(Path walDir, int[] segments, int bad, WalCorruptionException e) throws IOException {
        int removed = segments.length - bad - 1;
        if (removed == 0) {
            LOG.warn("WAL {}: cutting off the tail of the last segment at offset {} ({})", walDir, e.validEnd(),
                    e.getMessage());
        } else {
            LOG.error("WAL {}: corruption in segment {} ({}); truncating it at offset {} and deleting the {} "
                    + "segments after it, whose samples are lost", walDir, e.file().getFileName(), e.getMessage(),
                    e.validEnd(), removed);
        }
        for (int i = segments.length - 1; i > bad; i--) {
            Files.delete(WalSegments.path(walDir, segments[i]));
        }
        truncate(e.file(), e.validEnd());
        WalSegmentWriter.syncDir(walDir);
        return removed;
    }

    /** Truncates {@code file} to {@code end} and zero-fills up to the next page boundary, durably. */
    private static void truncate(Path file, long end) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(end);
            int tail = (int) (end % WalFragment.PAGE_SIZE);
            if (tail != 0) {
                ByteBuffer zeros = ByteBuffer.allocate(WalFragment.PAGE_SIZE - tail);
                long at = end;
                while (zeros.hasRemaining()) {
                    at += ch.write(zeros, at);
                }
            }
            ch.force(true);
        }
    }

    /** Running totals of a replay. */
    static final class Counts {
        long records;
        long series;
        long samples;
        long exemplars;
        long skipped;
        /** Where samples records are decoded, one at a time. */
        final WalSamples batch = new WalSamples();
    }
}
