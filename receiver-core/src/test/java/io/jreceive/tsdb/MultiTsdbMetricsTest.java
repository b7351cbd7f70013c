package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tenant's storage metrics reach the Prometheus exposition, none lost to a name clash in the registry. */
class MultiTsdbMetricsTest {
    @TempDir
    Path dir;

    @Test
    void everyTenantMeterIsExposed() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir, TsdbConfig.DEFAULT_BLOCK_DURATION, 0, true, 0,
                Map.of("replica", "0"), "tenant_id"), registry)) {
            tsdb.open();
            tsdb.tenant("team-a");
            String text = registry.scrape();
            for (String line : new String[] {
                "prometheus_tsdb_head_series{tenant=\"team-a\"} 0",
                "prometheus_tsdb_head_samples_appended_total{tenant=\"team-a\",type=\"float\"} 0",
                // client_java 1.x reserves the _created suffix, so Prometheus' own
                // prometheus_tsdb_head_series_created_total cannot be registered under that name.
                "jreceive_head_series_creations_total{tenant=\"team-a\"} 0",
                "prometheus_tsdb_compactions_total{tenant=\"team-a\"} 0",
                "prometheus_tsdb_head_out_of_order_samples_appended_total{tenant=\"team-a\",type=\"float\"} 0",
                "prometheus_tsdb_too_old_samples_total{tenant=\"team-a\",type=\"float\"} 0",
                "prometheus_tsdb_head_chunks_storage_size_bytes{tenant=\"team-a\"} 0",
                "jreceive_wal_appends_total{tenant=\"team-a\"} 0",
                "prometheus_tsdb_wal_fsync_duration_seconds_count{tenant=\"team-a\"} 0"}) {
                assertTrue(text.lines().anyMatch(l -> l.startsWith(line)), "missing " + line + " in\n" + text);
            }
        }
    }
}
