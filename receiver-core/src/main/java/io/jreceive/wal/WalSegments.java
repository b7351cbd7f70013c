package io.jreceive.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Naming and listing of WAL segment files: {@code <dir>/00000000}, {@code 00000001}, ... ({@code %08d}, starting at
 * 0). A file whose name is not all digits is not a segment and is ignored, as Prometheus does.
 */
public final class WalSegments {
    /** Default segment size, Prometheus' {@code DefaultSegmentSize}: 128 MiB. */
    public static final int DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;

    /** No segment: the value of {@link Range#first()} and {@link Range#last()} for a directory without segments. */
    public static final int NONE = -1;

    private WalSegments() {
    }

    /** First and last segment numbers present ({@link #NONE} for both when there is none). */
    public record Range(int first, int last) {
        public boolean isEmpty() {
            return last == NONE;
        }
    }

    /** {@code %08d}. */
    public static String name(int index) {
        return String.format("%08d", index);
    }

    public static Path path(Path dir, int index) {
        return dir.resolve(name(index));
    }

    /** Segment numbers in {@code dir}, ascending; empty if the directory does not exist. */
    public static int[] list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(WalSegments::isNumber).mapToInt(WalSegments::parse).sorted().toArray();
        } catch (NoSuchFileException e) {
            return new int[0];
        }
    }

    /** First and last segment numbers in {@code dir}. */
    public static Range range(Path dir) throws IOException {
        int[] all = list(dir);
        return all.length == 0 ? new Range(NONE, NONE) : new Range(all[0], all[all.length - 1]);
    }

    /** The segments of {@code dir} numbered above {@code after}; throws if there is a gap between them. */
    static int[] after(Path dir, int after) throws IOException {
        int[] all = list(dir);
        int[] tail = Arrays.stream(all).filter(i -> i > after).toArray();
        for (int i = 1; i < tail.length; i++) {
            if (tail[i] != tail[i - 1] + 1) {
                throw new IOException("WAL segments in " + dir + " are not sequential: " + name(tail[i - 1])
                        + " is followed by " + name(tail[i]));
            }
        }
        return tail;
    }

    static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    static int parse(String s) {
        return Integer.parseInt(s);
    }
}
