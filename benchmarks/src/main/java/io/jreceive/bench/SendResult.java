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
 * @param attempts            every attempt in the order each shard made them, shard by shard
 */
public record SendResult(long wallNanos, long clientCpuNanos, long samplesAcknowledged, long samplesFailed,
                         long requestsFailed, long retries, long writtenMismatches, Map<String, Long> statuses,
                         Map<String, String> messages, LatencySummary latency, List<WriteBatch> acknowledged,
                         List<Attempt> attempts) {

    /**
     * One HTTP attempt.
     *
     * @param shard        the sender shard
     * @param startNanos   when it was sent, from the start signal
     * @param latencyNanos until its answer (or I/O error)
     * @param status       HTTP status, -1 for no answer
     */
    public record Attempt(int shard, long startNanos, long latencyNanos, int status) {
    }

    static SendResult merge(List<RemoteWriteSender.ShardTally> tallies, long t0, long wallNanos, long cpuNanos) {
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
        List<Attempt> attempts = new ArrayList<>(latencies);
        int p = 0;
        for (int shard = 0; shard < tallies.size(); shard++) {
            RemoteWriteSender.ShardTally t = tallies.get(shard);
            System.arraycopy(t.latencies, 0, all, p, t.latencyCount);
            p += t.latencyCount;
            for (int i = 0; i < t.latencyCount; i++) {
                attempts.add(new Attempt(shard, t.starts[i] - t0, t.latencies[i], t.codes[i]));
            }
        }
        return new SendResult(wallNanos, cpuNanos, ack, failedSamples, failed, retries, mismatches,
            Collections.unmodifiableMap(statuses), Collections.unmodifiableMap(messages), LatencySummary.of(Arrays.copyOf(all, p)),
            List.copyOf(acknowledged), List.copyOf(attempts));
    }

    /** Acknowledged samples per second of wall time. */
    public double samplesPerSecond() {
        return wallNanos == 0 ? 0 : samplesAcknowledged * 1e9 / wallNanos;
    }
}
