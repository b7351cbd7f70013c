package io.jreceive.head;

/**
 * The one place that says which block range a timestamp belongs to. Head chunks end at a range's end and block cuts
 * cut at it; both must use this function, or a chunk straddles a block and the cut refuses it (which once stalled
 * compaction for a tenant with negative timestamps: chunks rounded towards zero, blocks towards minus infinity).
 *
 * <p>Prometheus' {@code rangeForTimestamp} is {@code (t / width) * width + width} with Go's truncating division: the
 * same as here for {@code t >= 0}. Before 1970 it makes the range around 0 twice as long ({@code (-width, width)}),
 * which a Thanos compactor then sees as a block crossing an aligned boundary; jreceive divides with floor instead,
 * so every range is {@code [k * width, (k + 1) * width)}.
 */
public final class BlockRanges {
    private BlockRanges() {
    }

    /** The end (exclusive) of the range of {@code width} ms holding {@code t}: the next multiple of width after t. */
    public static long rangeEnd(long t, long width) {
        return Math.floorDiv(t, width) * width + width;
    }

    /** The start (inclusive) of the range of {@code width} ms holding {@code t}. */
    public static long rangeStart(long t, long width) {
        return Math.floorDiv(t, width) * width;
    }
}
