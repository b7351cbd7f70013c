package io.jreceive.tsdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Size-based retention ({@code --tsdb.max-retention-bytes}) as Prometheus' {@code BeyondSizeRetention}: the size
 * counted starts with the head's on-disk part (the WAL and the head's closed chunk files) and adds blocks from the
 * newest to the oldest; the block that crosses the limit and every older one are beyond it. As in Thanos Receive,
 * the caller then deletes only those already uploaded: an unshipped block stays however large the total.
 */
public final class SizeRetention {
    private SizeRetention() {
    }

    /** A block's identity and size in bytes. */
    public record Sized(String ulid, long bytes) {
    }

    /**
     * The ULIDs beyond {@code maxBytes}, oldest last.
     *
     * @param headBytes        the WAL and head chunk bytes
     * @param blocksNewestFirst the local blocks sorted by time, newest first
     */
    public static List<String> beyond(long maxBytes, long headBytes, List<Sized> blocksNewestFirst) {
        List<String> out = new ArrayList<>();
        if (maxBytes <= 0 || blocksNewestFirst.isEmpty()) {
            return out;
        }
        long total = headBytes;
        for (int i = 0; i < blocksNewestFirst.size(); i++) {
            total += blocksNewestFirst.get(i).bytes();
            if (total > maxBytes) {
                for (Sized b : blocksNewestFirst.subList(i, blocksNewestFirst.size())) {
                    out.add(b.ulid());
                }
                break;
            }
        }
        return out;
    }

    /** The bytes of the regular files under {@code dir} (0 when it does not exist). */
    static long directoryBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("size of " + dir + ": " + e.getMessage(), e);
        }
    }
}
