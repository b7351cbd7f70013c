package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Write limits and relabel rules in the packaged jar, seen as a user sees them: statuses over HTTP and series over
 * the StoreAPI. A tenant over {@code series_limit} gets 413 and none of its request is stored while one under it
 * succeeds; {@code head_series_limit} answers 429 once reached; a changed limits file takes effect without a
 * restart; drop, labeldrop, replace and hashmod rules leave exactly the expected series.
 */
class IngestRulesIT {
    @TempDir
    Path tmp;

    private static byte[] series(String name, long t, int n, String... extraLabels) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int i = 0; i < n; i++) {
            String[] nv = new String[4 + extraLabels.length];
            nv[0] = "__name__";
            nv[1] = name;
            nv[2] = "i";
            nv[3] = Integer.toString(i);
            System.arraycopy(extraLabels, 0, nv, 4, extraLabels.length);
            r.series(Labels.of(nv), t, i);
        }
        return r.v1();
    }

    /** Every series named {@code name} over the StoreAPI, as sorted label maps. */
    private static Set<String> storeSeries(JreceiveProcess rx, String name) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", rx.grpcPort).usePlaintext().build();
        try {
            Iterator<SeriesResponse> it = StoreGrpc.newBlockingStub(ch).series(SeriesRequest.newBuilder()
                    .setMinTime(0).setMaxTime(Long.MAX_VALUE)
                    .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__")
                            .setValue(name)).build());
            Set<String> out = new TreeSet<>();
            while (it.hasNext()) {
                SeriesResponse r = it.next();
                if (r.hasSeries()) {
                    Map<String, String> m = new TreeMap<>();
                    for (Label l : r.getSeries().getLabelsList()) {
                        m.put(l.getName(), l.getValue());
                    }
                    out.add(m.toString());
                }
            }
            return out;
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void limitsRefuseBeforeStoringAndReloadFromTheFile() throws Exception {
        Path limits = tmp.resolve("limits.yaml");
        Files.writeString(limits, """
                write:
                  default:
                    request:
                      series_limit: 3
                  tenants:
                    capped:
                      head_series_limit: 5
                """);
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("data"), "--remote-write.warmup-series=0",
                "--receive.limits-config-file=" + limits, "--receive.limits-config-reload-timer=200ms")) {
            long t = System.currentTimeMillis();
            HttpResponse<String> r = rx.post(series("limits_it", t, 4), "over");
            assertEquals(413, r.statusCode());
            assertEquals("too many timeseries\n", r.body());
            assertEquals(200, rx.post(series("limits_it", t, 3), "under").statusCode());
            assertEquals(Set.of(), storeSeries(rx, "limits_it").stream().filter(s -> s.contains("tenant_id=over"))
                    .collect(java.util.stream.Collectors.toSet()), "nothing of the refused request is stored");
            assertEquals(3, storeSeries(rx, "limits_it").size(), "the request within the limit is stored");

            assertEquals(200, rx.post(series("head_it", t, 3, "r", "a"), "capped").statusCode());
            assertEquals(200, rx.post(series("head_it", t, 3, "r", "b"), "capped").statusCode(), "3 < 5");
            r = rx.post(series("head_it", t, 1, "r", "c"), "capped");
            assertEquals(429, r.statusCode(), "6 head series >= 5");
            assertEquals("tenant is above active series limit\n", r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            String metrics = rx.metrics();
            assertTrue(metrics.contains("thanos_receive_head_series_limit{tenant=\"capped\"} 5.0"), metrics);
            assertTrue(metrics.contains("thanos_receive_write_limits{limit=\"series_limit\",tenant=\"\"} 3.0"));

            Files.writeString(limits, "write: {default: {request: {series_limit: 10}}}\n");
            long deadline = System.nanoTime() + 20_000_000_000L;
            int status;
            do {
                Thread.sleep(200);
                status = rx.post(series("reload_it", t, 4), "over").statusCode();
            } while (status != 200 && System.nanoTime() < deadline);
            assertEquals(200, status, "the raised limit is in force without a restart");
            assertTrue(rx.metrics().contains("thanos_receive_limits_config_reload_total 1.0"));
        }
    }

    @Test
    void relabelRulesShapeWhatIsStored() throws Exception {
        String rules = """
                - source_labels: [job]
                  regex: drop-.*
                  action: drop
                - regex: secret|token
                  action: labeldrop
                - source_labels: [instance]
                  regex: '([^:]+):\\d+'
                  target_label: host
                  replacement: host-$1
                - source_labels: [instance]
                  modulus: 4
                  target_label: shard
                  action: hashmod
                """;
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("data"), "--remote-write.warmup-series=0",
                "--receive.relabel-config=" + rules)) {
            long t = System.currentTimeMillis();
            RemoteWriteRequests req = new RemoteWriteRequests()
                    .series(Labels.of("__name__", "relabel_it", "job", "drop-this", "instance", "a:1"), t, 1)
                    .series(Labels.of("__name__", "relabel_it", "job", "api", "instance", "web-1:9090",
                            "secret", "s3cr3t", "token", "t"), t, 2)
                    .series(Labels.of("__name__", "relabel_it", "job", "api", "instance", "web-2:9090"), t, 3);
            assertEquals(200, rx.post(req.v1(), null).statusCode());
            assertEquals(200, rx.post(new RemoteWriteRequests().series(Labels.of("__name__", "relabel_it",
                    "job", "drop-all"), t, 4).v1(), null).statusCode(), "a request relabelled to nothing is 200");
            Set<String> expected = new TreeSet<>();
            for (String inst : new String[] {"web-1:9090", "web-2:9090"}) {
                Map<String, String> m = new TreeMap<>(Map.of("__name__", "relabel_it", "job", "api",
                        "instance", inst, "host", "host-" + inst.substring(0, inst.indexOf(':')),
                        "shard", hashmod(inst, 4), "receive_replica", "0", "tenant_id", "default-tenant"));
                expected.add(m.toString());
            }
            assertEquals(expected, storeSeries(rx, "relabel_it"));
        }
    }

    /** Prometheus' hashmod: the last 8 bytes of the MD5, big-endian, modulo m. */
    private static String hashmod(String v, long m) throws Exception {
        byte[] h = MessageDigest.getInstance("MD5").digest(v.getBytes(StandardCharsets.UTF_8));
        return Long.toUnsignedString(Long.remainderUnsigned(java.nio.ByteBuffer.wrap(h, 8, 8).getLong(), m));
    }
}
