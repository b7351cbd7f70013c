package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

/**
 * {@code http_requests_total} and {@code http_request_duration_seconds} count what Thanos' instrumentation counts:
 * requests that reached the receive handler, labelled with the handler, the lower-case method, the status code and
 * the tenant (header or default); a 404 or a 405 is not counted as a receive request.
 */
class RequestMetricsTest {
    @TempDir
    Path dir;
    private TestReceiver rx;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        rx = new TestReceiver(dir);
    }

    @AfterEach
    void stop() throws Exception {
        rx.close();
    }

    private Counter requests(String code, String tenant) {
        return rx.registry.find("http.requests").tags("code", code, "handler", "receive", "method", "post",
                "tenant", tenant).counter();
    }

    @Test
    void countsReceiveRequestsByCodeAndTenantOnly() throws Exception {
        byte[] body = new RemoteWriteRequests().series(Labels.of("__name__", "up"), 1_700_000_000_000L, 1).v1();
        assertEquals(200, rx.postV1(body).statusCode());
        assertEquals(200, rx.postV1(body, "THANOS-TENANT", "team-a").statusCode());
        byte[] conflict = new RemoteWriteRequests().series(Labels.of("__name__", "up"), 1_700_000_000_000L, 2).v1();
        assertEquals(409, rx.postV1(conflict, "THANOS-TENANT", "team-a").statusCode());
        assertEquals(415, rx.post(body, "Content-Type", "text/plain").statusCode());

        URI base = rx.uri();
        HttpResponse<String> notFound = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/other"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, notFound.statusCode());
        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(base).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());

        assertEquals(1.0, requests("200", "default-tenant").count());
        assertEquals(1.0, requests("200", "team-a").count());
        assertEquals(1.0, requests("409", "team-a").count());
        assertEquals(1.0, requests("415", "default-tenant").count());
        assertNull(rx.registry.find("http.requests").tag("code", "404").counter());
        assertNull(rx.registry.find("http.requests").tag("code", "405").counter());
        assertEquals(4.0, rx.registry.find("http.requests").counters().stream().mapToDouble(Counter::count).sum());

        Timer t = rx.registry.find("http.request.duration").tags("code", "200", "handler", "receive", "tenant",
                "team-a").timer();
        assertEquals(1, t.count());
        assertEquals(IngestMetrics.DURATION_BUCKETS.length,
                t.takeSnapshot().histogramCounts().length, "Thanos' 20 buckets, no more");
    }
}
