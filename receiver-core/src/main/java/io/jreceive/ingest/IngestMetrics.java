package io.jreceive.ingest;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The remote-write endpoint's meters, with Thanos' names where Thanos has them so existing dashboards work:
 * {@code http_requests_total{code,handler,method,tenant}} and {@code http_request_duration_seconds} with the same
 * labels and Thanos Receive's 20 buckets (1 ms to 5 s), counted per handler as Thanos' instrumentation middleware
 * does: only requests that reached a handler ({@code receive} for {@code POST /api/v1/receive}, {@code tsdb_status}
 * for {@code GET /api/v1/status/tsdb}); a 404 or 405 is not counted, as Thanos' router answers those before any
 * handler. The tenant label is the tenant header's value or the default tenant, as Thanos'. Plus jreceive's
 * {@code jreceive_decode_errors_total{reason}}, and counts of what is received but not stored yet (histograms,
 * exemplars) and of series without a metric name.
 */
final class IngestMetrics {
    /** Thanos Receive's request-duration buckets (its forward timeout of 5 s adds none past 5 s). */
    static final Duration[] DURATION_BUCKETS = seconds(0.001, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08,
            0.09, 0.1, 0.25, 0.5, 0.75, 1, 2, 3, 4, 5);
    static final String RECEIVE = "receive";
    static final String TSDB_STATUS = "tsdb_status";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> decodeErrors = new ConcurrentHashMap<>();
    final Counter samplesReceived;
    final Counter histogramsDropped;
    final Counter exemplarsDropped;
    final Counter seriesWithoutName;
    final Counter conflictSamples;
    final Counter conflictSeries;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        samplesReceived = Counter.builder("thanos.receive.write.samples").description("Float samples received")
                .register(registry);
        histogramsDropped = Counter.builder("jreceive.histograms.dropped")
                .description("Native histogram samples received but not stored: rejected (out of order, out of "
                        + "bounds, duplicate) or invalid")
                .register(registry);
        exemplarsDropped = Counter.builder("jreceive.exemplars.dropped")
                .description("Exemplars received but not stored (not supported yet)").register(registry);
        seriesWithoutName = Counter.builder("jreceive.series.without.metric.name")
                .description("Series created without a __name__ label (accepted)").register(registry);
        conflictSamples = Counter.builder("jreceive.samples.rejected")
                .description("Samples rejected as conflicts (out of order, out of bounds, duplicate)")
                .register(registry);
        conflictSeries = Counter.builder("jreceive.series.rejected")
                .description("Series rejected for invalid label sets").register(registry);
    }

    /** The meters of one handler answering one method ({@code post}, lower case as Go's promhttp writes it). */
    HandlerMeters handler(String handler, String method) {
        return new HandlerMeters(handler, method);
    }

    /** One handler's meters, by tenant. */
    final class HandlerMeters {
        private final String handler;
        private final String method;
        private final ConcurrentHashMap<String, RequestMeters> byTenant = new ConcurrentHashMap<>();

        private HandlerMeters(String handler, String method) {
            this.handler = handler;
            this.method = method;
        }

        RequestMeters tenant(String tenant) {
            RequestMeters m = byTenant.get(tenant);
            return m != null ? m : byTenant.computeIfAbsent(tenant, t -> new RequestMeters(handler, method, t));
        }
    }

    /** One handler's, method's and tenant's request counters and duration histograms, by status code. */
    final class RequestMeters {
        private final String handler;
        private final String method;
        private final String tenant;
        private final ConcurrentHashMap<Integer, Counter> counts = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Integer, Timer> durations = new ConcurrentHashMap<>();

        private RequestMeters(String handler, String method, String tenant) {
            this.handler = handler;
            this.method = method;
            this.tenant = tenant;
        }

        /** Counts one answered request with {@code code}, timed from {@code startNanos}. */
        void record(int code, long startNanos) {
            Counter c = counts.get(code);
            if (c == null) {
                c = counts.computeIfAbsent(code, k -> Counter.builder("http.requests")
                        .tags("code", Integer.toString(k), "handler", handler, "method", method, "tenant", tenant)
                        .description("Tracks the number of HTTP requests.").register(registry));
            }
            c.increment();
            Timer t = durations.get(code);
            if (t == null) {
                t = durations.computeIfAbsent(code, k -> Timer.builder("http.request.duration")
                        .tags("code", Integer.toString(k), "handler", handler, "method", method, "tenant", tenant)
                        .description("Tracks the latencies for HTTP requests.")
                        .serviceLevelObjectives(DURATION_BUCKETS).register(registry));
            }
            t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }

    private static Duration[] seconds(double... s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = Duration.ofNanos(Math.round(s[i] * 1e9));
        }
        return d;
    }

    void decodeError(String reason) {
        decodeErrors.computeIfAbsent(reason, r -> Counter.builder("jreceive.decode.errors").tag("reason", r)
                .description("Requests refused before storage, by reason").register(registry)).increment();
    }
}
