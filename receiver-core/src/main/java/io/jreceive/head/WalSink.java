package io.jreceive.head;

import java.util.concurrent.CompletableFuture;

import io.jreceive.encoding.EncBuf;

/**
 * Where the head hands the WAL records of one append: a series record for the series first used by it (may be
 * empty), a samples record for every accepted sample (may be empty), and the histogram sample records of accepted
 * native histograms. Called under the head's append lock, so the WAL sees records in exactly the order samples
 * entered the head; implementations must copy the bytes and return a future that completes when the records are
 * durable.
 */
public interface WalSink {
    CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord);

    /**
     * Logs the series and samples records followed by the non-empty {@code histogramRecords}, all or nothing. A
     * sink that only implements {@link #log(EncBuf, EncBuf)} refuses histogram records (a failed future) rather
     * than lose them; with none it is that method.
     */
    default CompletableFuture<Void> log(EncBuf seriesRecord, EncBuf samplesRecord, EncBuf[] histogramRecords) {
        for (EncBuf r : histogramRecords) {
            if (r.len() > 0) {
                return CompletableFuture.failedFuture(
                        new UnsupportedOperationException("this WAL sink takes no histogram records"));
            }
        }
        return log(seriesRecord, samplesRecord);
    }

    /**
     * Logs an out-of-order samples record to the write-behind log ({@code wbl/}); the future completes when it is
     * durable. A sink without one refuses it (a failed future).
     */
    default CompletableFuture<Void> logOutOfOrder(EncBuf samplesRecord) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("this WAL sink has no write-behind log"));
    }
}
