package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.MetricMetadata;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;

/**
 * A tenant (its directory, WAL and head) is created only by a request that stores a sample: an empty request, a
 * metadata-only one, series without samples or only invalid series leave no trace, and still get their answers.
 */
class TenantCreationTest {
    @TempDir
    Path dir;

    private static byte[] snappy(WriteRequest w) {
        return RemoteWriteRequests.snappy(w.toByteArray());
    }

    /** One series of these labels, in this order, with one sample at {@code t}. */
    private static WriteRequest raw(long t, String... nameValues) {
        TimeSeries.Builder ts = TimeSeries.newBuilder()
                .addSamples(io.jreceive.proto.prometheus.Sample.newBuilder().setTimestamp(t).setValue(1));
        for (int i = 0; i < nameValues.length; i += 2) {
            ts.addLabels(Label.newBuilder().setName(nameValues[i]).setValue(nameValues[i + 1]));
        }
        return WriteRequest.newBuilder().addTimeseries(ts).build();
    }

    @Test
    void onlyAStoredSampleCreatesATenant() throws Exception {
        long t = System.currentTimeMillis();
        try (TestReceiver rx = new TestReceiver(dir)) {
            HttpResponse<String> r = rx.postV1(snappy(WriteRequest.getDefaultInstance()), "THANOS-TENANT", "empty");
            assertEquals(200, r.statusCode(), r.body());
            r = rx.postV1(snappy(WriteRequest.newBuilder().addMetadata(MetricMetadata.newBuilder()
                    .setMetricFamilyName("m").setHelp("h")).build()), "THANOS-TENANT", "metadata");
            assertEquals(200, r.statusCode(), r.body());
            r = rx.postV1(snappy(WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
                    .addLabels(Label.newBuilder().setName("__name__").setValue("m"))).build()),
                    "THANOS-TENANT", "nosamples");
            assertEquals(200, r.statusCode(), r.body());
            r = rx.postV1(snappy(raw(t, "__name__", "m", "a", "")), "THANOS-TENANT", "invalid");
            assertEquals(409, r.statusCode(), r.body());
            assertEquals("add 1 series: label set contains a label with empty name or value\n", r.body());
            r = rx.postV1(snappy(raw(t, "z", "1", "__name__", "m")), "THANOS-TENANT", "unsorted");
            assertEquals(409, r.statusCode(), r.body());
            assertEquals("add 1 series: out of order labels\n", r.body());
            for (String tenant : new String[] {"empty", "metadata", "nosamples", "invalid", "unsorted"}) {
                assertFalse(Files.exists(dir.resolve(tenant)), tenant + " has a directory");
                assertTrue(rx.tsdb.tenants().stream().noneMatch(db -> db.tenant().equals(tenant)), tenant);
            }

            r = rx.postV1(new RemoteWriteRequests().series(Labels.of("__name__", "m"), t, 1).v1(),
                    "THANOS-TENANT", "stored");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(Files.isDirectory(dir.resolve("stored")));
        }
    }
}
