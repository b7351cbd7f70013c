package io.jreceive.wal;

/**
 * What a {@link WalReader} replay read.
 *
 * @param checkpoint   number of the checkpoint read first, or {@link WalSegments#NONE}
 * @param firstSegment first segment read after it, or {@link WalSegments#NONE}
 * @param lastSegment  last segment read, or {@link WalSegments#NONE}
 * @param records      records read (checkpoint included)
 * @param series       series entries delivered
 * @param samples      samples delivered
 * @param exemplars    exemplars delivered
 * @param skipped      records of types the decoder does not handle (tombstones, metadata, ...), skipped
 * @param corruption   the corruption replay stopped at and repaired, or null if the log was read to its end
 * @param removedSegments segments deleted by the repair because they followed the corrupt one
 */
public record ReplayStats(int checkpoint, int firstSegment, int lastSegment, long records, long series,
        long samples, long exemplars, long skipped, WalCorruptionException corruption, int removedSegments) {
}
