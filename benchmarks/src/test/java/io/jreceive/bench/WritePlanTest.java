package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jreceive.encoding.EncBuf;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.proto.write.v2.Request;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class WritePlanTest {
    private static final long START = 1_700_000_000_000L;

    @Test
    void seriesArePinnedToOneShardAndRoundsAdvanceInOrder() {
        SyntheticSeries data = new SyntheticSeries(1000, 12, 4, 3, 5, START, 15_000);
        WritePlan plan = WritePlan.build(data, 700, 1);
        int[] shardOf = new int[data.series()];
        java.util.Arrays.fill(shardOf, -1);
        long samples = 0;
        for (int s = 0; s < plan.shards().size(); s++) {
            int[] lastRound = new int[data.series()];
            java.util.Arrays.fill(lastRound, -1);
            int[] maxRoundPerTenant = new int[3];
            for (WriteBatch b : plan.shards().get(s)) {
                assertEquals(s, b.shard());
                assertTrue(b.samples() >= 1 && b.samples() <= 700);
                samples += b.samples();
                for (int k = b.from(); k < b.to(); k++) {
                    int i = b.seriesAt(k);
                    int r = b.roundAt(k);
                    assertTrue(shardOf[i] == -1 || shardOf[i] == s, "series " + i + " in two shards");
                    shardOf[i] = s;
                    assertEquals(data.shard(i), s);
                    assertEquals(data.tenant(i), b.tenant());
                    assertEquals(lastRound[i] + 1, r, "series " + i + " rounds in order without gaps");
                    lastRound[i] = r;
                    int t = data.tenantIndex(i);
                    assertTrue(r >= maxRoundPerTenant[t], "round " + r + " after a later round in the shard");
                    maxRoundPerTenant[t] = r;
                }
            }
        }
        assertEquals(data.totalSamples(), samples);
        Set<Integer> shards = new HashSet<>();
        for (int s : shardOf) {
            assertTrue(s >= 0);
            shards.add(s);
        }
        assertEquals(5, shards.size(), "1000 series spread over all 5 shards");
    }

    @Test
    void v1EncodingIsCanonicalProtobuf() throws Exception {
        SyntheticSeries data = new SyntheticSeries(40, 5, 12, 0, 1, 0, 15_000);
        RemoteWriteEncoder enc = new RemoteWriteEncoder(data, 1);
        WriteBatch b = WritePlan.build(data, 77, 1).shards().get(0).get(0);
        EncBuf raw = enc.session().encodeRaw(b);
        byte[] bytes = raw.toByteArray();
        WriteRequest req = WriteRequest.parseFrom(bytes);
        assertEquals(77, req.getTimeseriesCount());
        // Round 0 has timestamp 0 and series 0 value 0: both fields omitted, as the generated code omits them.
        assertArrayEquals(req.toByteArray(), bytes);
        assertEquals(13, req.getTimeseries(0).getLabelsCount());
        assertEquals("__name__", req.getTimeseries(0).getLabels(0).getName());
        byte[] wire = enc.session().encode(b);
        assertArrayEquals(bytes, Snappy.uncompress(wire));
    }

    @Test
    void v2EncodingIsCanonicalProtobufWithDeduplicatedSymbols() throws Exception {
        SyntheticSeries data = new SyntheticSeries(60, 3, 6, 0, 1, START, 15_000);
        RemoteWriteEncoder enc = new RemoteWriteEncoder(data, 2);
        RemoteWriteEncoder.Session session = enc.session();
        List<WriteBatch> batches = WritePlan.build(data, 50, 2).shards().get(0);
        for (WriteBatch b : batches) {
            byte[] bytes = session.encodeRaw(b).toByteArray();
            Request req = Request.parseFrom(bytes);
            assertArrayEquals(req.toByteArray(), bytes);
            assertEquals("", req.getSymbols(0));
            assertEquals(req.getSymbolsCount(), new HashSet<>(req.getSymbolsList()).size());
            assertEquals(b.samples(), req.getTimeseriesCount());
            for (int k = b.from(); k < b.to(); k++) {
                var ts = req.getTimeseries(k - b.from());
                var labels = data.labels(b.seriesAt(k));
                assertEquals(labels.size() * 2, ts.getLabelsRefsCount());
                for (int p = 0; p < labels.size(); p++) {
                    assertEquals(labels.nameString(p), req.getSymbols(ts.getLabelsRefs(2 * p)));
                    assertEquals(labels.valueString(p), req.getSymbols(ts.getLabelsRefs(2 * p + 1)));
                }
                assertEquals(data.timestamp(b.roundAt(k)), ts.getSamples(0).getTimestamp());
                assertEquals(data.value(b.seriesAt(k), b.roundAt(k)), ts.getSamples(0).getValue());
            }
        }
    }

    @Test
    void histogramLoadsEncodeCanonicalValidNativeHistograms() throws Exception {
        SyntheticSeries data = new SyntheticSeries(30, 4, 5, 0, 1, START, 15_000).withHistogramBuckets(20);
        for (int protocol : new int[] {1, 2}) {
            RemoteWriteEncoder.Session session = new RemoteWriteEncoder(data, protocol).session();
            for (WriteBatch b : WritePlan.build(data, 50, protocol).shards().get(0)) {
                byte[] bytes = session.encodeRaw(b).toByteArray();
                for (int k = b.from(); k < b.to(); k++) {
                    int i = b.seriesAt(k);
                    int r = b.roundAt(k);
                    // The v1 and v2 Histogram messages have the same fields; compare through the v1 one.
                    io.jreceive.proto.prometheus.Histogram h;
                    if (protocol == 1) {
                        WriteRequest req = WriteRequest.parseFrom(bytes);
                        assertArrayEquals(req.toByteArray(), bytes);
                        assertEquals(0, req.getTimeseries(k - b.from()).getSamplesCount());
                        h = req.getTimeseries(k - b.from()).getHistograms(0);
                    } else {
                        Request req = Request.parseFrom(bytes);
                        assertArrayEquals(req.toByteArray(), bytes);
                        assertEquals(0, req.getTimeseries(k - b.from()).getSamplesCount());
                        h = io.jreceive.proto.prometheus.Histogram.parseFrom(
                            req.getTimeseries(k - b.from()).getHistograms(0).toByteArray());
                    }
                    assertEquals(data.timestamp(r), h.getTimestamp());
                    assertEquals(3, h.getSchema());
                    assertEquals(1, h.getPositiveSpansCount());
                    assertEquals(-10, h.getPositiveSpans(0).getOffset());
                    assertEquals(20, h.getPositiveSpans(0).getLength());
                    assertEquals(20, h.getPositiveDeltasCount());
                    long bucket = 0;
                    long total = h.getZeroCountInt();
                    for (int d = 0; d < 20; d++) {
                        bucket += h.getPositiveDeltas(d);
                        assertEquals(data.bucketCount(i, r, d), bucket);
                        total += bucket;
                    }
                    assertEquals(total, h.getCountInt(), "count = zero count + buckets, as Prometheus validates");
                    assertEquals(data.value(i, r), h.getSum());
                }
            }
        }
    }

    @Test
    void generatedLabelsAreUniqueAndInvertible() {
        SyntheticSeries data = new SyntheticSeries(20_000, 1, 15, 0, 1, START, 15_000);
        Set<io.jreceive.labels.Labels> seen = new HashSet<>();
        for (int i = 0; i < data.series(); i += 7) {
            io.jreceive.labels.Labels l = data.labels(i);
            assertTrue(seen.add(l), "duplicate labels " + l);
            assertEquals(i, data.indexOf(l));
            assertEquals(16, l.size());
        }
        assertEquals(-1, data.indexOf(io.jreceive.labels.Labels.of("__name__", "up", "instance", "10.0.0.1:9100")));
    }
}
