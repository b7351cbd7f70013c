package io.jreceive.tsdb;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.wal.Checkpoint;
import io.jreceive.wal.WalSegments;

/**
 * A tenant's head snapshot directory, {@code chunk_snapshot.<segment>.<offset>/snapshot} (Prometheus' naming: the
 * WAL's last segment and its size when the snapshot was taken), and the rule for using one: only while the WAL still
 * ends exactly there (no segment folded into a checkpoint since, the segment not grown), so that the segments after
 * it are the whole rest of the log.
 *
 * @param dir     the snapshot directory
 * @param segment the WAL's last segment at the snapshot
 * @param offset  that segment's size at the snapshot
 */
record Snapshot(Path dir, int segment, long offset) {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshot.class);
    static final String PREFIX = "chunk_snapshot.";
    /** The file inside the directory ({@code io.jreceive.head.HeadSnapshotLayout}). */
    static final String FILE = "snapshot";

    /** The directory name of a snapshot taken with {@code segment} of {@code offset} bytes the WAL's last. */
    static String name(int segment, long offset) {
        return String.format("%s%06d.%010d", PREFIX, segment, offset);
    }

    Path file() {
        return dir.resolve(FILE);
    }

    /**
     * The tenant's usable snapshot, or null; one that no longer fits the WAL is logged (and deleted later with the
     * others, {@link #deleteAll}).
     */
    static Snapshot find(Path tenantDir, Path walDir) throws IOException {
        Snapshot best = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tenantDir, PREFIX + "*")) {
            for (Path p : ds) {
                String[] parts = p.getFileName().toString().substring(PREFIX.length()).split("\\.");
                if (parts.length != 2 || !Files.isRegularFile(p.resolve(FILE))) {
                    continue;
                }
                Snapshot s;
                try {
                    s = new Snapshot(p, Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (best == null || s.segment > best.segment) {
                    best = s;
                }
            }
        }
        if (best == null) {
            return null;
        }
        int last = Files.isDirectory(walDir) ? WalSegments.range(walDir).last() : WalSegments.NONE;
        Path seg = WalSegments.path(walDir, best.segment);
        String why = null;
        if (last != best.segment) {
            why = "the WAL's last segment is " + last + ", not " + best.segment;
        } else if (Files.size(seg) != best.offset) {
            why = "segment " + best.segment + " has " + Files.size(seg) + " bytes, not " + best.offset;
        } else if (Checkpoint.last(walDir) >= best.segment) {
            why = "a checkpoint covers segment " + best.segment;
        }
        if (why != null) {
            LOG.warn("head snapshot {} does not fit the WAL and is not used: {}", best.dir.getFileName(), why);
            return null;
        }
        return best;
    }

    /** Deletes every snapshot directory of the tenant. */
    static void deleteAll(Path tenantDir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tenantDir, PREFIX + "*")) {
            for (Path p : ds) {
                TenantDb.deleteRecursively(p);
            }
        }
    }
}
