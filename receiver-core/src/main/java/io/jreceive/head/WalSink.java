package io.jreceive.head;

import java.util.concurrent.CompletableFuture;

import io.jreceive.encoding.EncBuf;

/**
 * Where the head hands the WAL records of one append: a series record for the series first used by it (may be
 * empty) and a samples record for every accepted sample (may be empty). Called under the head's append lock, so
 * the WAL sees records in exactly the order samples entered the head; implementations must copy the bytes and
 * return a future that completes when the records are durable.
 */
public interface WalSink {
    CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord);
}
