package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.testing.WalContents;

/**
 * Every kind of malformed request gets Thanos' status and a one-line reason, the server keeps accepting valid
 * requests afterwards, and the WAL holds exactly the valid samples: no trace of anything rejected.
 */
class RemoteWriteBadInputTest {
    private static final long LIMIT = 1 << 20;
    @TempDir
    Path dir;
    private TestReceiver rx;
    private final List<String> expectedWal = new ArrayList<>();
    private long t = 1_700_000_000_000L;

    @BeforeEach
    void start() throws Exception {
        rx = new TestReceiver(dir, 7_200_000L, new RemoteWriteLimits(LIMIT, LIMIT, 0, 0, 512, 64 * 1024));
    }

    @AfterEach
    void stop() throws Exception {
        rx.close();
    }

    /** Writes one valid sample and remembers it as expected in the WAL. */
    private void valid() throws Exception {
        Labels l = Labels.of("__name__", "good", "i", Integer.toString(expectedWal.size()));
        t += 1000;
        HttpResponse<String> r = rx.postV1(new RemoteWriteRequests().series(l, t, 1.5).v1());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("", r.body());
        expectedWal.add(WalContents.line(l, 1.5, t));
    }

    private void expect(int status, String body, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(body + "\n", r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        valid();
    }

    // --- a hand-written protobuf encoder: the generated one refuses invalid UTF-8, which is what we test ---

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void field(ByteArrayOutputStream o, int tag, byte[] b) {
        varint(o, tag);
        varint(o, b.length);
        o.writeBytes(b);
    }

    /** A WriteRequest with one series of raw label bytes (name, value, ...) and one sample. */
    private byte[] rawRequest(byte[]... nameValues) {
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            ByteArrayOutputStream l = new ByteArrayOutputStream();
            field(l, 0x0A, nameValues[i]);
            field(l, 0x12, nameValues[i + 1]);
            field(ts, 0x0A, l.toByteArray());
        }
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.write(0x09);
        s.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F});
        s.write(0x10);
        varint(s, t + 500);
        field(ts, 0x12, s.toByteArray());
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        field(req, 0x0A, ts.toByteArray());
        return req.toByteArray();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rejectsBadInputAndKeepsServing() throws Exception {
        valid();
        expect(400, "snappy decode error: empty body", rx.postV1(new byte[0]));
        byte[] plainProto = new RemoteWriteRequests().series(Labels.of("__name__", "x"), t, 1).v1Message()
                .toByteArray();
        HttpResponse<String> r = rx.postV1(plainProto);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("snappy decode error"), r.body());
        valid();
        r = rx.postV1(RemoteWriteRequests.snappy(b("this is not a protobuf message at all, just text")));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("proto: "), r.body());
        valid();
        byte[] good = new RemoteWriteRequests().series(Labels.of("__name__", "cut", "a", "b"), t, 1).v1Message()
                .toByteArray();
        r = rx.postV1(RemoteWriteRequests.snappy(Arrays.copyOf(good, good.length - 3)));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("proto: "), r.body());
        valid();
        expect(409, "add 1 series: label set contains invalid UTF-8",
                rx.postV1(RemoteWriteRequests.snappy(rawRequest(b("__name__"), new byte[] {'a', (byte) 0xFF}))));
        expect(409, "add 1 series: out of order labels",
                rx.postV1(RemoteWriteRequests.snappy(rawRequest(b("z"), b("1"), b("__name__"), b("m")))));
        expect(409, "add 1 series: label set contains duplicate label names", rx.postV1(RemoteWriteRequests.snappy(
                rawRequest(b("__name__"), b("m"), b("a"), b("1"), b("a"), b("2")))));
        expect(409, "add 1 series: label set contains a label with empty name or value",
                rx.postV1(RemoteWriteRequests.snappy(rawRequest(b("__name__"), b("m"), b(""), b("x")))));
        expect(409, "add 1 series: label set contains a label with empty name or value",
                rx.postV1(RemoteWriteRequests.snappy(rawRequest(b("__name__"), b("m"), b("a"), b("")))));
        byte[][] many = new byte[20_000][];
        many[0] = b("__name__");
        many[1] = b("wide");
        for (int i = 1; i < 10_000; i++) {
            many[2 * i] = b(String.format("l%05d", i));
            many[2 * i + 1] = b("v");
        }
        expect(400, "invalid series: more than 512 labels, the limit per series", rx.postV1(
                RemoteWriteRequests.snappy(rawRequest(many))));
        valid();
        expect(400, "invalid series: label value of 65537 bytes exceeds the 65536-byte limit", rx.postV1(
                RemoteWriteRequests.snappy(rawRequest(b("__name__"), b("m"), b("a"), new byte[64 * 1024 + 1]))));
        byte[] big = new byte[(int) LIMIT + 1];
        new java.util.Random(1).nextBytes(big);
        r = rx.postV1(big);
        assertEquals(413, r.statusCode());
        assertEquals("write request too large: body exceeds the " + LIMIT + "-byte limit\n", r.body());
        valid();
        byte[] zeros = new byte[(int) LIMIT * 4];
        r = rx.postV1(RemoteWriteRequests.snappy(zeros));
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("exceeds the " + LIMIT + "-byte limit"), r.body());
        valid();
        expect(415, "unsupported content type \"application/json\", expected application/x-protobuf",
                rx.post(new RemoteWriteRequests().series(Labels.of("__name__", "j"), t, 1).v1(), "Content-Type",
                        "application/json"));
        expect(415, "unsupported content encoding \"gzip\", expected snappy",
                rx.post(new RemoteWriteRequests().series(Labels.of("__name__", "j"), t, 1).v1(),
                        "Content-Encoding", "gzip"));
        expect(400, "Tenant name not valid", rx.postV1(new RemoteWriteRequests().series(Labels.of("__name__", "j"),
                t, 1).v1(), "THANOS-TENANT", "../etc"));
        HttpResponse<String> get = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(rx.uri()).GET().build(), HttpResponse.BodyHandlers.ofString());
        expect(405, "method not allowed, use POST", get);

        // A series without __name__ is accepted, as Thanos and Prometheus' 1.0 receivers do.
        Labels noName = Labels.of("job", "x");
        t += 1000;
        assertEquals(200, rx.postV1(new RemoteWriteRequests().series(noName, t, 2).v1()).statusCode());
        expectedWal.add(WalContents.line(noName, 2, t));
        assertEquals(1.0, rx.registry.counter("jreceive.series.without.metric.name").count(), "counted once");

        // Valid samples of a request with conflicts are still written (Thanos semantics).
        Labels mixed = Labels.of("__name__", "good", "i", "0");
        t += 1000;
        r = rx.postV1(new RemoteWriteRequests().series(mixed, new long[] {t, t - 1}, new double[] {3, 3}).v1());
        assertEquals(409, r.statusCode());
        assertEquals("add 1 samples: out of order sample\n", r.body());
        expectedWal.add(WalContents.line(mixed, 3, t));

        assertEquals(expectedWal, WalContents.lines(dir.resolve("default-tenant").resolve("wal")));
    }

    @Test
    void v2AnswersCarryWrittenCounts() throws Exception {
        RemoteWriteRequests req = new RemoteWriteRequests()
                .series(Labels.of("__name__", "a", "x", "1"), 2000, 2)
                .series(Labels.of("__name__", "b"), new long[] {500, 1000}, new double[] {4, 5});
        HttpResponse<String> r = rx.postV2(req.v2());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("3", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow());
        assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Histograms-Written").orElseThrow());
        assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written").orElseThrow());
        // A retry of the newest samples: identical samples are accepted silently and still reported as written
        // (a 2xx with 0 written would make Prometheus' sender treat the answer as a failure).
        RemoteWriteRequests retry = new RemoteWriteRequests().series(Labels.of("__name__", "a", "x", "1"), 2000, 2)
                .series(Labels.of("__name__", "b"), 1000, 5);
        r = rx.postV2(retry.v2());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("2", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow());
        r = rx.postV2(new RemoteWriteRequests().series(Labels.of("__name__", "a", "x", "1"), 500, 1).v2());
        assertEquals(409, r.statusCode());
        assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow());
        assertEquals(415, rx.post(req.v2(), "Content-Type", "application/x-protobuf;proto=foo.Bar").statusCode());
    }

    @Test
    void newTenantsFirstWriteSucceeds() throws Exception {
        HttpResponse<String> r = rx.postV1(new RemoteWriteRequests().series(Labels.of("__name__", "n"), 1000, 1).v1(),
                "THANOS-TENANT", "team-a");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, rx.tsdb.tenant("team-a").head().numSeries());
    }
    /**
     * Issue 20 item 1: one remote write 2.0 request of about 70 KB whose 17 series have 253 labels each pointing at
     * the same 64 KiB symbol would need a WAL series record of about 280 MB, over the WAL's record limit. It is
     * refused with 413 and the reason on its first try, before anything is stored: no series, no label value, no
     * WAL record; the next valid request is stored as usual.
     */
    @Test
    void aRequestWhoseSeriesRecordWouldPassTheWalRecordLimitIs413AndStoresNothing() throws Exception {
        valid();
        String big = "v".repeat(64 * 1024);
        RemoteWriteRequests req = new RemoteWriteRequests();
        for (int s = 0; s < 17; s++) {
            java.util.Map<String, String> m = new java.util.TreeMap<>();
            m.put("__name__", "huge");
            m.put("s", Integer.toString(s));
            for (int l = 0; l < 253; l++) {
                m.put(String.format("l%03d", l), big);
            }
            req.series(Labels.fromMap(m), t, 1);
        }
        byte[] body = req.v2();
        assertTrue(body.length < 100_000, "a small request: " + body.length + " bytes");
        HttpResponse<String> r = rx.postV2(body);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("write request too large: its new series need a WAL series record of "),
                r.body());
        assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElse(""));
        io.jreceive.head.Head head = rx.tsdb.tenant("default-tenant").head();
        assertEquals(List.of(), head.labelValues("s".getBytes(StandardCharsets.UTF_8)), "no series created");
        assertEquals(0, head.postings("__name__".getBytes(StandardCharsets.UTF_8),
                "huge".getBytes(StandardCharsets.UTF_8)).length);
        valid();
        assertEquals(expectedWal, WalContents.lines(dir.resolve("default-tenant").resolve("wal")));
    }
}
