package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.testing.WalContents;

/**
 * Thanos' write limits over real HTTP: statuses and bodies, default and per-tenant values, and that a refused
 * request leaves nothing in the tenant's WAL while one within the limits is stored.
 */
class RemoteWriteTenantLimitsTest {
    private static final String LIMITS = """
            write:
              default:
                request:
                  series_limit: 3
                  samples_limit: 5
                  size_bytes_limit: 4096
                head_series_limit: 4
              tenants:
                big:
                  request:
                    series_limit: 0
                small:
                  request:
                    size_bytes_limit: 64
                mid:
                  request:
                    samples_limit: 100
            """;
    @TempDir
    Path dir;
    private TestReceiver rx;
    private long t = 1_700_000_000_000L;

    @AfterEach
    void stop() throws Exception {
        if (rx != null) {
            rx.close();
        }
    }

    /** A request of {@code series} series with {@code samplesEach} samples each. */
    private byte[] request(int series, int samplesEach, String prefix) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int s = 0; s < series; s++) {
            long[] ts = new long[samplesEach];
            double[] vs = new double[samplesEach];
            for (int i = 0; i < samplesEach; i++) {
                ts[i] = t + i * 1000L;
                vs[i] = i;
            }
            r.series(Labels.of("__name__", prefix, "s", Integer.toString(s)), ts, vs);
        }
        t += 60_000;
        return r.v1();
    }

    private HttpResponse<String> post(String tenant, byte[] body) throws Exception {
        return rx.postV1(body, "THANOS-TENANT", tenant);
    }

    private List<String> wal(String tenant) throws Exception {
        Path w = dir.resolve(tenant).resolve("wal");
        return Files.isDirectory(w) ? WalContents.lines(w) : new ArrayList<>();
    }

    @Test
    void requestLimitsAnswerThanosStatusesAndStoreNothing() throws Exception {
        rx = new TestReceiver(dir, LIMITS, List.of());
        HttpResponse<String> r = post("a", request(4, 1, "m"));
        assertEquals(413, r.statusCode());
        assertEquals("too many timeseries\n", r.body());
        r = post("a", request(2, 3, "m"));
        assertEquals(413, r.statusCode());
        assertEquals("too many samples\n", r.body());
        assertEquals(List.of(), wal("a"), "nothing of a refused request is stored");

        r = post("a", request(3, 1, "m"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(3, wal("a").size(), "at the limit passes (limit >= amount)");

        r = post("big", request(4, 1, "m"));
        assertEquals(200, r.statusCode(), "tenant override 0 = unlimited series: " + r.body());

        r = post("small", request(1, 1, "a_metric_name_long_enough_to_pass_sixty_four_bytes_of_compressed_body"));
        assertEquals(413, r.statusCode());
        assertEquals("write request too large\n", r.body());
        assertEquals(List.of(), wal("small"));
        r = post("mid", request(4, 1, "m"));
        assertEquals(413, r.statusCode(), "the tenant inherits the default series_limit");
        assertEquals("too many timeseries\n", r.body());
        assertEquals(200, post("mid", request(2, 10, "m")).statusCode(), "its own samples_limit of 100");
    }

    @Test
    void decompressedSizeIsCheckedToo() throws Exception {
        // 40 series of one sample compress well below 2000 bytes but decode to more.
        rx = new TestReceiver(dir, "write: {default: {request: {size_bytes_limit: 2000}}}", List.of());
        byte[] body = request(40, 1, "a_rather_long_metric_name_that_repeats_in_every_series");
        assertEquals(true, body.length < 2000, "compressed " + body.length);
        HttpResponse<String> r = post("a", body);
        assertEquals(413, r.statusCode());
        assertEquals("write request too large\n", r.body());
        assertEquals(List.of(), wal("a"));
    }

    @Test
    void headSeriesLimitAnswers429OnceReached() throws Exception {
        rx = new TestReceiver(dir, LIMITS, List.of());
        assertEquals(200, post("a", request(3, 1, "m")).statusCode());
        assertEquals(200, post("a", request(3, 1, "n")).statusCode(), "3 head series < 4: admitted");
        HttpResponse<String> r = post("a", request(1, 1, "o"));
        assertEquals(429, r.statusCode());
        assertEquals("tenant is above active series limit\n", r.body());
        assertEquals("30", r.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, post("b", request(1, 1, "m")).statusCode(), "another tenant has its own count");
        assertEquals(1.0, rx.registry.get("thanos.receive.head.series.limited.requests").tag("tenant", "a")
                .counter().count());
    }

    @Test
    void maxConcurrencyQueuesRequestsWithoutLosingAny() throws Exception {
        rx = new TestReceiver(dir, "write: {global: {max_concurrency: 1}, default: {request: {series_limit: 2}}}",
                List.of());
        List<java.util.concurrent.CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] body = request(i % 4 == 0 ? 3 : 1, 1, "m" + i);
            answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return post("a", body).statusCode();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        int ok = 0;
        int refused = 0;
        for (var a : answers) {
            int status = a.get(30, java.util.concurrent.TimeUnit.SECONDS);
            ok += status == 200 ? 1 : 0;
            refused += status == 413 ? 1 : 0;
        }
        assertEquals(12, ok);
        assertEquals(4, refused, "a refused request leaves the gate too");
        assertEquals(0, rx.limiter.gate().inFlight());
        assertEquals(12, wal("a").size());
    }
}
