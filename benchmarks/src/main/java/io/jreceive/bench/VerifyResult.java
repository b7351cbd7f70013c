package io.jreceive.bench;

import java.util.List;

/**
 * What reading a load run back through the StoreAPI found.
 *
 * @param expectedSamples   acknowledged samples, each of which must be readable
 * @param foundSamples      acknowledged samples read back with the right timestamp and value
 * @param missingSamples    acknowledged samples not read back
 * @param missingSeries     series with acknowledged samples of which none was read back
 * @param wrongValues       samples read back at an expected timestamp with another value
 * @param unexpectedSamples samples read back that were never acknowledged (or at no generated timestamp)
 * @param unexpectedSeries  series read back that are not part of the generated data set
 * @param wrongTenant       series read back with a {@code tenant_id} label other than the tenant they were sent to
 * @param seriesFrames      {@code Series} frames received
 * @param chunks            chunks decoded
 * @param examples          a few human-readable descriptions of the first problems
 */
public record VerifyResult(long expectedSamples, long foundSamples, long missingSamples, long missingSeries,
                           long wrongValues, long unexpectedSamples, long unexpectedSeries, long wrongTenant,
                           long seriesFrames, long chunks, List<String> examples) {

    /** Whether everything acknowledged was read back exactly, and nothing else. */
    public boolean ok() {
        return missingSamples == 0 && wrongValues == 0 && unexpectedSamples == 0 && unexpectedSeries == 0
            && wrongTenant == 0 && foundSamples == expectedSamples;
    }
}
