package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalVisitor;

/**
 * The real remote-write client: Prometheus 2.42 in agent mode scrapes itself and jreceive every second and
 * remote-writes to jreceive for more than 30 seconds. Every series the agent logged in its own WAL (what it sends),
 * with its external labels added, must be in jreceive's data afterwards, as read by the real {@code promtool}, and
 * the agent must report no failed or dropped samples.
 */
class PrometheusAgentIT {
    @TempDir
    Path tmp;

    @Test
    void agentRemoteWritesEverySeries() throws Exception {
        Promtool promtool = Promtool.require();
        PrometheusProcess.require();
        Path data = tmp.resolve("data");
        Set<String> sent = new TreeSet<>();
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            String config = """
                    global:
                      scrape_interval: 1s
                      external_labels:
                        cluster: it-agent
                    scrape_configs:
                      - job_name: prometheus
                        static_configs: [{targets: ['127.0.0.1:${PORT}']}]
                      - job_name: jreceive
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/receive
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                    """.formatted(rx.httpPort, rx.remoteWritePort);
            double failed;
            double dropped;
            double succeeded;
            try (PrometheusProcess agent = PrometheusProcess.agent(tmp.resolve("agent"), config)) {
                Thread.sleep(32_000);
                failed = agent.metric("prometheus_remote_storage_samples_failed_total");
                dropped = agent.metric("prometheus_remote_storage_samples_dropped_total");
                succeeded = agent.metric("prometheus_remote_storage_samples_total");
            }
            assertTrue(failed == 0 || Double.isNaN(failed), "agent reported failed samples: " + failed);
            assertTrue(dropped == 0 || Double.isNaN(dropped), "agent reported dropped samples: " + dropped);
            assertTrue(succeeded > 1000, "agent sent samples: " + succeeded);
            WalReader.read(tmp.resolve("agent").resolve("agent").resolve("wal"), new WalVisitor() {
                @Override
                public void onSeries(long ref, Labels labels) {
                    sent.add(new Labels.Builder().setAll(labels).set("cluster", "it-agent").build().toString());
                }

                @Override
                public void onSample(long ref, long t, long valueBits) {
                }
            });
            assertEquals(0, rx.stop(), "graceful shutdown exit code");
        }
        assertTrue(sent.size() > 100, "the agent logged series: " + sent.size());
        Promtool.Result dump = promtool.dump(data.resolve("default-tenant"));
        assertTrue(dump.ok(), dump.toString());
        Set<String> stored = new HashSet<>();
        for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
            stored.add(l.labels());
        }
        Set<String> missing = new TreeSet<>(sent);
        missing.removeAll(stored);
        assertTrue(missing.isEmpty(), missing.size() + " of " + sent.size() + " series missing, e.g. "
                + missing.stream().limit(5).toList());
    }
}
