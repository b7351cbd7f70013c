package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Promtool;

/**
 * Our exemplars records, read by the real readers: Prometheus 3.7 with exemplar storage on replays a WAL jreceive
 * wrote (a checkpoint that kept exemplars, and segments after it) and answers {@code query_exemplars} with exactly
 * the exemplars written; Debian's promtool 2.42 still dumps that WAL's samples.
 */
class WalExemplarsIT {
    private static final long T0 = 1_700_000_000_000L;
    private static final Labels A = Labels.of("__name__", "wal_test", "job", "a");
    private static final Labels B = Labels.of("__name__", "wal_test", "job", "b");

    @TempDir
    Path data;

    @Test
    @Timeout(180)
    void prometheusReplaysOurExemplarsAndPromtoolStillDumpsTheWal() throws Exception {
        Path tsdb = data.resolve("tsdb");
        Path wal = tsdb.resolve("wal");
        List<String> expected = new ArrayList<>();
        int samples = 0;
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            EncBuf series = new EncBuf();
            EncBuf smp = new EncBuf();
            EncBuf ex = new EncBuf();
            SeriesRecordEncoder se = new SeriesRecordEncoder().wrap(series);
            se.add(11, A);
            se.add(12, B);
            w.append(series).join();
            for (int i = 0; i < 100; i++) {
                long t = T0 + i * 15_000L;
                SamplesRecordEncoder sa = new SamplesRecordEncoder().wrap(smp);
                sa.add(11, t, Double.doubleToRawLongBits(i));
                sa.add(12, t, Double.doubleToRawLongBits(-i));
                samples += 2;
                ExemplarsRecordEncoder ee = new ExemplarsRecordEncoder().wrap(ex);
                if (i % 10 == 0) {
                    ee.add(11, t - 1, Double.doubleToRawLongBits(i + 0.5), Labels.of("trace_id", "a" + i));
                    ee.add(12, t - 2, Double.doubleToRawLongBits(-i), Labels.of("span_id", "s" + i,
                            "trace_id", "b" + i));
                    // The checkpoint below drops what is older than round 50.
                    if (i >= 50) {
                        expected.add("job=a " + "{trace_id=a" + i + "} " + (i + 0.5) + " " + (t - 1));
                        expected.add("job=b " + "{span_id=s" + i + ",trace_id=b" + i + "} " + (double) -i + " "
                                + (t - 2));
                    }
                }
                w.append(smp, ex).join();
                if (i == 70) {
                    w.cut().join();
                }
            }
            w.cut().join();
            Checkpoint.Stats st = Checkpoint.create(wal, 0, ref -> true, T0 + 50 * 15_000L - 2, true);
            assertEquals(6, st.exemplars(), "rounds 50, 60, 70 of segment 0 kept");
            assertEquals(10, st.droppedExemplars());
        }

        Promtool.Result dump = Promtool.require().dump(tsdb);
        assertEquals(0, dump.exitCode(), dump.toString());
        long lines = dump.stdout().lines().filter(l -> l.startsWith("{")).count();
        assertEquals(samples - 2 * 50, lines,
                "promtool replays the checkpoint's samples from round 50 and the later segment's: " + dump.stderr());

        try (PrometheusProcess p = PrometheusProcess.server(PrometheusProcess.Release.V3_7, data, tsdb,
                "global:\n  scrape_interval: 1h\n", "--enable-feature=exemplar-storage")) {
            String q = "/api/v1/query_exemplars?query=" + URLEncoder.encode("wal_test", StandardCharsets.UTF_8)
                    + "&start=" + (T0 / 1000 - 60) + "&end=" + (T0 / 1000 + 3600);
            var r = p.get(q);
            assertEquals(200, r.statusCode(), r.body());
            List<String> got = new ArrayList<>();
            for (JsonNode s : new ObjectMapper().readTree(r.body()).path("data")) {
                for (JsonNode e : s.path("exemplars")) {
                    List<String> ls = new ArrayList<>();
                    e.path("labels").fields().forEachRemaining(f -> ls.add(f.getKey() + "=" + f.getValue().asText()));
                    ls.sort(null);
                    got.add("job=" + s.path("seriesLabels").path("job").asText() + " {" + String.join(",", ls) + "} "
                            + Double.parseDouble(e.path("value").asText()) + " "
                            + Math.round(e.path("timestamp").asDouble() * 1000));
                }
            }
            got.sort(null);
            expected.sort(null);
            assertEquals(expected, got, "Prometheus log: " + java.nio.file.Files.readString(p.log()));
        }
    }
}
