package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.jreceive.proto.thanos.LabelMatcher;
import org.junit.jupiter.api.Test;

class StoreVerifierTest {
    private static final long START = 1_700_000_000_000L;

    private static VerifyResult verify(SyntheticSeries data, List<WriteBatch> acknowledged, FakeStore store)
        throws Exception {
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).directExecutor().addService(store).build().start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            return new StoreVerifier(data, 10_000).verify(ch, acknowledged);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static List<WriteBatch> everything(WritePlan plan) {
        return plan.shards().stream().flatMap(List::stream).toList();
    }

    @Test
    void everythingServedVerifies() throws Exception {
        SyntheticSeries data = new SyntheticSeries(300, 250, 5, 3, 4, START, 15_000);
        WritePlan plan = WritePlan.build(data, 2000, 1);
        FakeStore store = new FakeStore(data, flat -> true, -1);
        VerifyResult v = verify(data, everything(plan), store);
        assertTrue(v.ok(), v.toString());
        assertEquals(75_000, v.expectedSamples());
        assertEquals(75_000, v.foundSamples());
        assertEquals(300, v.seriesFrames());
        assertEquals(300 * 3, v.chunks(), "250 samples make chunks of 120, 120 and 10");
        LabelMatcher m = store.requests.get(0).getMatchers(0);
        assertEquals(LabelMatcher.Type.RE, m.getType());
        assertEquals("__name__", m.getName());
        assertEquals("loadgen_metric_.*", m.getValue());
        assertEquals(START, store.requests.get(0).getMinTime());
        assertEquals(START + 249 * 15_000, store.requests.get(0).getMaxTime());
    }

    @Test
    void missingSampleAndSeriesAreReported() throws Exception {
        SyntheticSeries data = new SyntheticSeries(20, 10, 3, 0, 2, START, 15_000);
        WritePlan plan = WritePlan.build(data, 50, 2);
        // Drop round 4 of series 3 and all of series 7.
        IntPredicate served = flat -> flat != 3 * 10 + 4 && flat / 10 != 7;
        VerifyResult v = verify(data, everything(plan), new FakeStore(data, served, -1));
        assertFalse(v.ok());
        assertEquals(200, v.expectedSamples());
        assertEquals(11, v.missingSamples());
        assertEquals(1, v.missingSeries());
        assertEquals(189, v.foundSamples());
        assertTrue(v.examples().stream().anyMatch(e -> e.startsWith("missing ")), v.examples().toString());
    }

    @Test
    void wrongValueIsReported() throws Exception {
        SyntheticSeries data = new SyntheticSeries(5, 4, 2, 0, 1, START, 15_000);
        WritePlan plan = WritePlan.build(data, 10, 1);
        VerifyResult v = verify(data, everything(plan), new FakeStore(data, flat -> true, 6));
        assertFalse(v.ok());
        assertEquals(1, v.wrongValues());
        assertEquals(1, v.missingSamples());
    }

    @Test
    void onlyAcknowledgedSamplesAreExpectedAndOthersAreUnexpected() throws Exception {
        SyntheticSeries data = new SyntheticSeries(10, 6, 2, 0, 1, START, 15_000);
        WritePlan plan = WritePlan.build(data, 20, 1);
        List<WriteBatch> all = everything(plan);
        assertEquals(3, all.size());
        // The middle request (rounds 2 and 3) was never acknowledged; the store serves only what was acknowledged.
        List<WriteBatch> acked = List.of(all.get(0), all.get(2));
        VerifyResult ok = verify(data, acked, new FakeStore(data, flat -> flat % 6 != 2 && flat % 6 != 3, -1));
        assertTrue(ok.ok(), ok.toString());
        assertEquals(40, ok.expectedSamples());
        // A store that also returns the unacknowledged samples is suspicious: counted, not silently accepted.
        VerifyResult extra = verify(data, acked, new FakeStore(data, flat -> true, -1));
        assertEquals(20, extra.unexpectedSamples());
        assertFalse(extra.ok());
    }

    @Test
    void wrongTenantIsReported() throws Exception {
        SyntheticSeries sent = new SyntheticSeries(6, 2, 2, 2, 1, START, 15_000);
        SyntheticSeries served = new SyntheticSeries(6, 2, 2, 3, 1, START, 15_000);
        WritePlan plan = WritePlan.build(sent, 100, 1);
        VerifyResult v = verify(sent, everything(plan), new FakeStore(served, flat -> true, -1));
        // tenant i%2 vs i%3 differ for i = 2, 3, 4, 5 (0 and 1 agree).
        assertEquals(4, v.wrongTenant());
        assertFalse(v.ok());
    }
}
