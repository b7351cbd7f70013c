package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Map;

import io.jreceive.objstore.Bucket;
import io.jreceive.objstore.Buckets;
import io.jreceive.objstore.ObjstoreConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class FilesystemShipperTest extends ShipperContract {
    @Override
    Bucket emptyBucket() {
        return Buckets.create(ObjstoreConfig.parse("type: FILESYSTEM\nconfig:\n  directory: " + tmp.resolve("bucket")
                + "\n"));
    }

    @Test
    void emptyExternalLabelsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Shipper(tenantDir, bucket, Map.of(), Clock.systemUTC(), registry));
        assertTrue(e.getMessage().contains("empty external labels"), e.getMessage());
    }

    @Test
    void metricNamesInPrometheusExpositionAreThanos() throws Exception {
        PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        block(0);
        try (Shipper s = new Shipper(tenantDir, bucket, LABELS, Clock.systemUTC(), prom)) {
            s.sync();
            String text = prom.scrape();
            for (String line : new String[] {"thanos_shipper_uploads_total{tenant=\"tenant-a\"} 1",
                    "thanos_shipper_upload_failures_total{tenant=\"tenant-a\"} 0",
                    "thanos_shipper_dir_syncs_total{tenant=\"tenant-a\"} 1",
                    "thanos_shipper_dir_sync_failures_total{tenant=\"tenant-a\"} 0",
                    "thanos_shipper_last_successful_upload_time{tenant=\"tenant-a\"} ",
                    "jreceive_shipper_blocks_waiting{tenant=\"tenant-a\"} 0"}) {
                assertTrue(text.contains(line), line + " in\n" + text);
            }
        }
        assertTrue(!prom.scrape().contains("thanos_shipper"), "close() unregisters the meters");
    }
}
