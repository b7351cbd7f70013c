package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.PrometheusProcess.Release;
import io.jreceive.testing.Promtool;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalVisitor;

/**
 * The deployment's remote-write client, Prometheus 3.7 in agent mode, scrapes itself and jreceive every second and
 * remote-writes everything twice to one jreceive: once with remote write 1.0 (tenant {@code rw1}) and once with
 * {@code protobuf_message: io.prometheus.write.v2.Request} (tenant {@code rw2}), each its own queue. Every sample
 * the agent logged in its WAL (what it scraped) up to a time both queues have sent past must be in each tenant's
 * data exactly (labels with the external label, timestamp, value bits), as the real {@code promtool} reads it; and
 * the agent counts no failed or dropped sample: for 2.0 it checks jreceive's written-count headers.
 */
class Prometheus3AgentIT {
    private static final String CLUSTER = "it-agent-3";

    @TempDir
    Path tmp;

    @Test
    void agentRemoteWrites1And2EverySample() throws Exception {
        Promtool promtool = Promtool.require();
        Release.V3_7.binary();
        Path data = tmp.resolve("data");
        Path agentDir = tmp.resolve("agent");
        long cutoffMs;
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            String config = """
                    global:
                      scrape_interval: 1s
                      external_labels:
                        cluster: %s
                    scrape_configs:
                      - job_name: prometheus
                        static_configs: [{targets: ['127.0.0.1:${PORT}']}]
                      - job_name: jreceive
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    remote_write:
                      - name: v1
                        url: http://127.0.0.1:%d/api/v1/receive
                        headers: {THANOS-TENANT: rw1}
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                      - name: v2
                        url: http://127.0.0.1:%d/api/v1/receive
                        protobuf_message: io.prometheus.write.v2.Request
                        headers: {THANOS-TENANT: rw2}
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                    """.formatted(CLUSTER, rx.httpPort, rx.remoteWritePort, rx.remoteWritePort);
            try (PrometheusProcess agent = PrometheusProcess.agent(Release.V3_7, agentDir, config)) {
                Thread.sleep(20_000);
                // Everything scraped up to the cutoff must arrive: wait until both queues have sent samples
                // scraped after it (each queue sends in scrape order per series shard; batches go out within 1 s).
                cutoffMs = System.currentTimeMillis() - 2_000;
                for (String queue : List.of("v1", "v2")) {
                    agent.awaitHighestSent(queue, cutoffMs / 1000.0 + 1);
                }
                Thread.sleep(2_000);
                for (String queue : List.of("v1", "v2")) {
                    String l = "{remote_name=\"" + queue + "\"";
                    assertEquals(0.0, agent.counter("prometheus_remote_storage_samples_failed_total", l),
                            queue + " failed samples; agent log " + agent.log());
                    assertEquals(0.0, agent.counter("prometheus_remote_storage_samples_dropped_total", l),
                            queue + " dropped samples");
                    assertEquals(0.0, agent.counter("prometheus_remote_storage_samples_retried_total", l),
                            queue + " retried samples");
                    assertTrue(agent.counter("prometheus_remote_storage_samples_total", l) > 1000,
                            queue + " sent samples");
                }
            }
            assertEquals(0, rx.stop(), "graceful shutdown exit code");
        }

        Map<Long, Labels> series = new HashMap<>();
        Set<String> scraped = new TreeSet<>();
        WalReader.read(agentDir.resolve("agent").resolve("wal"), new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                series.put(ref, new Labels.Builder().setAll(labels).set("cluster", CLUSTER).build());
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                if (t <= cutoffMs) {
                    scraped.add(DeterministicLoad.line(series.get(ref),
                            Double.longBitsToDouble(valueBits), t));
                }
            }
        });
        assertTrue(scraped.size() > 2000, "the agent logged samples before the cutoff: " + scraped.size());
        for (String tenant : List.of("rw1", "rw2")) {
            Promtool.Result dump = promtool.dump(data.resolve(tenant));
            assertTrue(dump.ok(), dump.toString());
            Set<String> stored = new HashSet<>();
            for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
                stored.add(DeterministicLoad.line(l.labels(), l.value(), l.timestamp()));
            }
            Set<String> missing = new TreeSet<>(scraped);
            missing.removeAll(stored);
            assertTrue(missing.isEmpty(), tenant + ": " + missing.size() + " of " + scraped.size()
                    + " scraped samples missing, e.g. " + missing.stream().limit(5).toList());
        }
    }
}
