package io.jreceive.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of sending a {@link WritePlan}.
 *
 * @param wallNanos           from the start signal to the last shard's last answer
 * @param clientCpuNanos      CPU time of this whole process over the same span
 * @param samplesAcknowledged samples in requests answered 2xx
 * @param samplesFailed       samples in requests given up (non-retryable status or retries exhausted)
 * @param requestsFailed      requests given up
 * @param retries             attempts repeated after 5xx, 429 or an I/O error
 * @param writtenMismatches   2.0 answers whose samples-written header was missing or differed from the samples sent
 * @param statuses            attempts per HTTP status ({@link RemoteWriteSender#IO_ERROR} for no answer)
 * @param messages            the first response body seen per non-2xx status, truncated
 * @param latency             per-attempt latency
 * @param acknowledged        the requests answered 2xx, for read-back verification
 */
public record SendResult(long wallNanos, long clientCpuNanos, long samplesAcknowledged, long samplesFailed,
                         long requestsFailed, long retries, long writtenMismatches, Map<String, Long> statuses,
                         Map<String, String> messages, LatencySummary latency, List<WriteBatch> acknowledged) {

    static SendResult merge(List<RemoteWriteSender.ShardTally> tallies, long wallNanos, long cpuNanos) {
        long ack = 0;
        long failedSamples = 0;
        long failed = 0;
        long retries = 0;
        long mismatches = 0;
        int latencies = 0;
        Map<String, Long> statuses = new TreeMap<>();
        Map<String, String> messages = new TreeMap<>();
        List<WriteBatch> acknowledged = new ArrayList<>();
        for (RemoteWriteSender.ShardTally t : tallies) {
            ack += t.samplesAcknowledged;
            failedSamples += t.samplesFailed;
            failed += t.requestsFailed;
            retries += t.retries;
            mismatches += t.mismatches;
            latencies += t.latencyCount;
            t.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
            t.messages.forEach(messages::putIfAbsent);
            acknowledged.addAll(t.acknowledged);
        }
        long[] all = new long[latencies];
        int p = 0;
        for (RemoteWriteSender.ShardTally t : tallies) {
            System.arraycopy(t.latencies, 0, all, p, t.latencyCount);
            p += t.latencyCount;
        }
        return new SendResult(wallNanos, cpuNanos, ack, failedSamples, failed, retries, mismatches,
            Collections.unmodifiableMap(statuses), Collections.unmodifiableMap(messages), LatencySummary.of(Arrays.copyOf(all, p)),
            List.copyOf(acknowledged));
    }

    /** Acknowledged samples per second of wall time. */
    public double samplesPerSecond() {
        return wallNanos == 0 ? 0 : samplesAcknowledged * 1e9 / wallNanos;
    }
}
