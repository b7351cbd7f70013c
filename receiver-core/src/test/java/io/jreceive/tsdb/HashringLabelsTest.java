package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.jreceive.block.BlockMeta;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hashring's {@code external_labels} reach its tenants as Thanos' {@code extractTenantsLabels} merges them. */
class HashringLabelsTest {
    private static final long RANGE = TsdbConfig.DEFAULT_BLOCK_DURATION;

    @TempDir
    Path dir;

    @Test
    void ringLabelsRankBelowFlagLabelsAndTheTenantLabelAndFollowAReload() throws Exception {
        Map<String, Map<String, String>> ring = new ConcurrentHashMap<>();
        ring.put("a", Map.of("region", "eu", "replica", "from-ring", "tenant_id", "from-ring"));
        try (MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir, RANGE, 0, true, 0, Map.of("replica", "0"),
                "tenant_id"), new SimpleMeterRegistry())) {
            tsdb.hashringLabels(t -> ring.getOrDefault(t, Map.of()));
            tsdb.open();
            TenantDb a = tsdb.tenant("a");
            TenantDb b = tsdb.tenant("b");
            assertEquals(Labels.of("region", "eu", "replica", "0", "tenant_id", "a"), a.externalLabels());
            assertEquals(Labels.of("replica", "0", "tenant_id", "b"), b.externalLabels(), "not listed: none");

            ring.put("b", Map.of("zone", "z1"));
            ring.remove("a");
            tsdb.refreshHashringLabels();
            assertEquals(Labels.of("replica", "0", "tenant_id", "a"), a.externalLabels());
            assertEquals(Labels.of("replica", "0", "tenant_id", "b", "zone", "z1"), b.externalLabels());

            write(b, RANGE - 60_000, 3 * RANGE, 60_000);
            List<BlockMeta> cut = b.compact();
            assertEquals(Map.of("replica", "0", "tenant_id", "b", "zone", "z1"),
                    cut.get(0).thanos().labels(), "a block cut after the reload carries the new labels");
        }
    }

    private static void write(TenantDb db, long from, long to, long step) {
        WriteBatch batch = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        for (long t = from; t <= to; t += step) {
            byte[] raw = new RemoteWriteRequests().series(Labels.of("__name__", "m"), t, t).v1Message().toByteArray();
            new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
            db.write(batch, ctx).join();
        }
    }
}
