package io.jreceive.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The remote-write endpoint's meters, with Thanos' names where Thanos has them so existing dashboards work:
 * {@code http_requests_total{handler="receive",code,method}}, {@code http_request_duration_seconds}, plus
 * jreceive's {@code jreceive_decode_errors_total{reason}}, and counts of what is received but not stored yet
 * (histograms, exemplars) and of series without a metric name.
 */
final class IngestMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<Integer, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> decodeErrors = new ConcurrentHashMap<>();
    private final Timer duration;
    final Counter samplesReceived;
    final Counter histogramsDropped;
    final Counter exemplarsDropped;
    final Counter seriesWithoutName;
    final Counter conflictSamples;
    final Counter conflictSeries;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        duration = Timer.builder("http.request.duration").tag("handler", "receive")
                .description("Remote-write request latency until the answer is written")
                .publishPercentileHistogram().register(registry);
        samplesReceived = Counter.builder("thanos.receive.write.samples").description("Float samples received")
                .register(registry);
        histogramsDropped = Counter.builder("jreceive.histograms.dropped")
                .description("Native histogram samples received but not stored (not supported yet)")
                .register(registry);
        exemplarsDropped = Counter.builder("jreceive.exemplars.dropped")
                .description("Exemplars not stored: rejected (out of order, label length), of a series the head "
                        + "does not hold, with exemplar storage off (--tsdb.max-exemplars=0), or routed (not forwarded)")
                .register(registry);
        seriesWithoutName = Counter.builder("jreceive.series.without.metric.name")
                .description("Series created without a __name__ label (accepted)").register(registry);
        conflictSamples = Counter.builder("jreceive.samples.rejected")
                .description("Samples rejected as conflicts (out of order, out of bounds, duplicate)")
                .register(registry);
        conflictSeries = Counter.builder("jreceive.series.rejected")
                .description("Series rejected for invalid label sets").register(registry);
    }

    void request(int code, long startNanos) {
        requests.computeIfAbsent(code, c -> Counter.builder("http.requests").tag("handler", "receive")
                .tag("code", Integer.toString(c)).tag("method", "post")
                .description("Remote-write requests by status code").register(registry)).increment();
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void decodeError(String reason) {
        decodeErrors.computeIfAbsent(reason, r -> Counter.builder("jreceive.decode.errors").tag("reason", r)
                .description("Requests refused before storage, by reason").register(registry)).increment();
    }
}
