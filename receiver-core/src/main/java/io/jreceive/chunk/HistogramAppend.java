package io.jreceive.chunk;

/**
 * What appending a histogram to a chunk did: the appender to continue with, and whether it holds a new chunk that
 * the sample started (cut for a counter reset, a schema or zero-threshold change, a disappeared bucket, a stale
 * marker's end or a gauge/counter switch). When {@code newChunk} is false the sample went into the same chunk,
 * possibly re-encoded into a wider bucket layout by a new appender object.
 */
public record HistogramAppend<A>(A appender, boolean newChunk) {
}
