package io.jreceive.ring.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.jreceive.head.WriteBatch;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.ingest.RoutedWriteException;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.Sample;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.thanos.WriteRequest;
import io.jreceive.proto.thanos.WriteableStoreGrpc;
import io.jreceive.ring.Endpoint;
import io.jreceive.ring.Hashrings;
import io.jreceive.ring.HashringsParser;
import io.jreceive.ring.Ketama;
import io.jreceive.ring.Mode;
import io.jreceive.ring.SeriesHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Routers of a small ring wired over loopback gRPC ({@code thanos.WriteableStore}), each with a recording store:
 * placement, quorum, the status of failures and the wire format against the generated protobuf classes.
 */
class RouterTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<PeerClients> clients = new ArrayList<>();
    private final Map<String, RecordingWriter> stores = new HashMap<>();
    private final Map<String, Router> routers = new HashMap<>();
    private final Map<String, Server> byAddress = new HashMap<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (PeerClients c : clients) {
            c.close();
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code n} nodes on free ports with one hashring of them; returns their addresses. */
    private List<String> ring(int n, String algorithm, int rf) throws Exception {
        List<Server> started = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        List<Router[]> slots = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Router[] slot = new Router[1];
            slots.add(slot);
            WriteableStoreService svc = new WriteableStoreService((t, r, b) -> slot[0].write(t, r, b),
                    "default-tenant", RemoteWriteLimits.DEFAULTS);
            Server s = NettyServerBuilder.forPort(0).addService(svc.definition())
                    .decompressorRegistry(io.grpc.DecompressorRegistry.emptyInstance()
                            .with(io.grpc.Codec.Identity.NONE, false)
                            .with(new io.jreceive.store.SnappyCodec(), true))
                    .build().start();
            started.add(s);
            addresses.add("127.0.0.1:" + s.getPort());
        }
        StringBuilder json = new StringBuilder("[{\"endpoints\": [");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(addresses.get(i)).append('"');
        }
        json.append("]}]");
        Hashrings rings = new Hashrings(HashringsParser.parse(json.toString()), algorithm, rf);
        for (int i = 0; i < n; i++) {
            RecordingWriter w = new RecordingWriter();
            PeerClients pc = new PeerClients(ForwardClientConfig.plain(2000, 5000, "snappy"), new SimpleMeterRegistry());
            clients.add(pc);
            Router r = new Router(Mode.ROUTER_INGESTOR, () -> rings, addresses.get(i), rf, w, pc);
            slots.get(i)[0] = r;
            stores.put(addresses.get(i), w);
            routers.put(addresses.get(i), r);
            byAddress.put(addresses.get(i), started.get(i));
        }
        servers.addAll(started);
        return addresses;
    }

    /** A batch of {@code n} series {@code {__name__="m", i="<k>"}} with two samples each. */
    private static WriteBatch batch(int n) {
        List<String[]> labels = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            labels.add(new String[] {"__name__", "m", "i", Integer.toString(k)});
        }
        byte[] buf = new byte[n * 32];
        WriteBatch b = new WriteBatch();
        b.reset(buf);
        int pos = 0;
        for (String[] l : labels) {
            int s = b.beginSeries();
            for (int j = 0; j < l.length; j += 2) {
                byte[] name = l[j].getBytes(StandardCharsets.UTF_8);
                byte[] value = l[j + 1].getBytes(StandardCharsets.UTF_8);
                System.arraycopy(name, 0, buf, pos, name.length);
                System.arraycopy(value, 0, buf, pos + name.length, value.length);
                b.addLabel(s, pos, name.length, pos + name.length, value.length);
                pos += name.length + value.length;
            }
            b.addSample(s, 1000, Double.doubleToRawLongBits(1));
            b.addSample(s, 2000, Double.doubleToRawLongBits(2));
        }
        return b;
    }

    private static RoutedWriteException failure(Router r, WriteBatch b) {
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> r.write("t", 0, b).join());
        return assertInstanceOf(RoutedWriteException.class, e.getCause());
    }

    @Test
    void everySeriesLandsOnTheEndpointsKetamaNamesOncePerReplica() throws Exception {
        List<String> nodes = ring(4, Hashrings.KETAMA, 3);
        routers.get(nodes.get(0)).write("t", 0, batch(200)).get(10, TimeUnit.SECONDS);
        // Writes still running after the quorum answer finish within the deadline; wait for all 600 copies.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stores.values().stream().mapToInt(w -> w.series().size()).sum() < 600
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Ketama k = new Ketama(nodes.stream().map(Endpoint::of).toList(), 3, Ketama.SECTIONS_PER_NODE);
        Map<String, List<String>> expected = new HashMap<>();
        for (String a : nodes) {
            expected.put(a, new ArrayList<>());
        }
        for (int i = 0; i < 200; i++) {
            long h = SeriesHash.of("t", "__name__", "m", "i", Integer.toString(i));
            for (int n = 0; n < 3; n++) {
                expected.get(k.endpoint(h, n).address()).add("t/{__name__=\"m\", i=\"" + i + "\"}/2");
            }
        }
        for (String a : nodes) {
            List<String> got = stores.get(a).series();
            got.sort(null);
            List<String> want = expected.get(a);
            want.sort(null);
            assertEquals(want, got, "node " + a);
        }
    }

    @Test
    void seriesOfEveryReplicaIndexPlacedHereAreOneLocalWriteOfTheBatchItself() throws Exception {
        // Three nodes, RF=3: every series is on every node, as replica 0, 1 or 2 depending on its hash.
        List<String> nodes = ring(3, Hashrings.KETAMA, 3);
        WriteBatch b = batch(300);
        routers.get(nodes.get(0)).write("t", 0, b).get(10, TimeUnit.SECONDS);
        RecordingWriter local = stores.get(nodes.get(0));
        assertEquals(1, local.batches().size(), "one local write per request, not one per replica index");
        assertSame(b, local.batches().get(0), "every series is local: the batch itself, not a copy");
        assertEquals(300, local.series().size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stores.values().stream().mapToInt(w -> w.series().size()).sum() < 900
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        for (String a : nodes) {
            assertEquals(300, new java.util.HashSet<>(stores.get(a).series()).size(), "node " + a);
            assertEquals(300, stores.get(a).series().size(), "each series once on node " + a);
        }
    }

    @Test
    void quorumSurvivesOneDeadReplicaNotTwo() throws Exception {
        List<String> nodes = ring(3, Hashrings.KETAMA, 3);
        byAddress.get(nodes.get(2)).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        routers.get(nodes.get(0)).write("t", 0, batch(50)).get(10, TimeUnit.SECONDS);
        byAddress.get(nodes.get(1)).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        RoutedWriteException e = failure(routers.get(nodes.get(0)), batch(50));
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("Unavailable") || e.getMessage().contains("target not available"),
                e.getMessage());
    }

    @Test
    void conflictsEverywhereAre409EvenWithAReplicaDown() throws Exception {
        List<String> nodes = ring(3, Hashrings.KETAMA, 3);
        for (RecordingWriter w : stores.values()) {
            w.conflict = true;
        }
        RoutedWriteException e = failure(routers.get(nodes.get(0)), batch(20));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("out of order sample"), e.getMessage());
        assertTrue(e.getMessage().contains("AlreadyExists"), e.getMessage());
        // Two conflicts and a dead replica: the dead one could not make a quorum of 2, a retry cannot succeed.
        byAddress.get(nodes.get(2)).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        e = failure(routers.get(nodes.get(0)), batch(20));
        assertEquals(409, e.status(), e.getMessage());
        // One conflict, two dead: the dead replicas could have made the quorum, so the sender should retry.
        stores.get(nodes.get(1)).conflict = false;
        stores.get(nodes.get(0)).conflict = true;
        byAddress.get(nodes.get(1)).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        e = failure(routers.get(nodes.get(0)), batch(20));
        assertEquals(503, e.status(), e.getMessage());
    }

    @Test
    void replicaAboveFactorIs400AndAReplicatedWriteStoresOneCopy() throws Exception {
        List<String> nodes = ring(3, Hashrings.HASHMOD, 3);
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> routers.get(nodes.get(0)).write("t", 4, batch(1)).join());
        assertEquals(400, ((RoutedWriteException) e.getCause()).status());
        routers.get(nodes.get(0)).write("t", 2, batch(30)).get(10, TimeUnit.SECONDS);
        assertEquals(30, stores.values().stream().mapToInt(w -> w.series().size()).sum());
    }

    @Test
    void generatedProtobufClientIsUnderstoodWithSnappy() throws Exception {
        List<String> nodes = ring(1, Hashrings.HASHMOD, 1);
        ManagedChannel ch = NettyChannelBuilder.forTarget(nodes.get(0)).usePlaintext()
                .compressorRegistry(compressors()).build();
        try {
            WriteRequest req = WriteRequest.newBuilder().setTenant("team").addTimeseries(TimeSeries.newBuilder()
                    .addLabels(Label.newBuilder().setName("__name__").setValue("up"))
                    .addSamples(Sample.newBuilder().setTimestamp(5).setValue(1))).build();
            WriteableStoreGrpc.newBlockingStub(ch).withCompression("snappy").remoteWrite(req);
            assertEquals(List.of("team/{__name__=\"up\"}/1"), stores.get(nodes.get(0)).series());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void forwardedBytesParseAsTheGeneratedWriteRequest() throws Exception {
        WriteBatch b = batch(3);
        byte[] bytes = ForwardEncoder.encode("tenant-ä", 2, b, new int[] {0, 2}, 2);
        WriteRequest r = WriteRequest.parseFrom(bytes);
        assertEquals("tenant-ä", r.getTenant());
        assertEquals(2, r.getReplica());
        assertEquals(2, r.getTimeseriesCount());
        assertEquals("2", r.getTimeseries(1).getLabels(1).getValue());
        assertEquals(2000, r.getTimeseries(1).getSamples(1).getTimestamp());
        assertEquals(2.0, r.getTimeseries(1).getSamples(1).getValue());
        assertEquals(0, WriteRequest.parseFrom(ForwardEncoder.encode("", 0, b, new int[0], 0)).getSerializedSize());
    }

    /** Integer and float histograms, one with custom buckets and a hint, added to every series of {@code b}. */
    private static WriteBatch withHistograms(WriteBatch b) {
        for (int s = 0; s < b.seriesCount(); s++) {
            b.histograms().add(s, 3000 + s, new Histogram(CounterResetHint.NOT_COUNTER_RESET, 3, 1e-128, 2, 14 + s,
                    42.5, new Span[] {new Span(-2, 2), new Span(3, 1)}, new long[] {5, -1, 3},
                    new Span[] {new Span(1, 1)}, new long[] {3}, new double[0]));
            b.addHistogram();
            b.histograms().add(s, 4000 + s, new FloatHistogram(CounterResetHint.GAUGE, -53, 0, 0, 7.5, -1.25,
                    new Span[] {new Span(0, 3)}, new double[] {1, 2.5, 4}, new Span[0], new double[0],
                    new double[] {0.5, 1, 10}));
            b.addHistogram();
        }
        return b;
    }

    @Test
    void histogramsAreForwardedAndWrittenLocallyWithTheirSeries() throws Exception {
        WriteBatch b = withHistograms(batch(3));
        WriteRequest r = WriteRequest.parseFrom(ForwardEncoder.encode("t", 1, b, new int[] {1, 2}, 2));
        io.jreceive.proto.prometheus.Histogram first = r.getTimeseries(0).getHistograms(0);
        assertEquals(15, first.getCountInt());
        assertEquals(3, first.getSchema());
        assertEquals(List.of(5L, -1L, 3L), first.getPositiveDeltasList());
        assertEquals(-2, first.getPositiveSpans(0).getOffset());
        assertEquals(3001, first.getTimestamp());
        io.jreceive.proto.prometheus.Histogram second = r.getTimeseries(1).getHistograms(1);
        assertEquals(7.5, second.getCountFloat());
        assertEquals(-53, second.getSchema());
        assertEquals(List.of(0.5, 1.0, 10.0), second.getCustomValuesList());
        assertEquals(io.jreceive.proto.prometheus.Histogram.ResetHint.GAUGE, second.getResetHint());

        List<String> nodes = ring(3, Hashrings.KETAMA, 3);
        routers.get(nodes.get(0)).write("t", 0, withHistograms(batch(10))).get(10, TimeUnit.SECONDS);
        List<Object> want = new ArrayList<>();
        WriteBatch expected = withHistograms(batch(10));
        for (int h = 0; h < expected.histograms().count(); h++) {
            Object v = expected.histograms().histogram(h);
            want.add(expected.labels(expected.histograms().series(h)) + "@" + expected.histograms().timestamp(h)
                    + "=" + (v != null ? v : expected.histograms().floatHistogram(h)));
        }
        want.sort(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String a : nodes) {
            while (stores.get(a).histograms().size() < want.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Object> got = stores.get(a).histograms();
            got.sort(null);
            assertEquals(want, got, "node " + a + (a.equals(nodes.get(0)) ? " (local)" : " (forwarded)"));
        }
    }

    /** Gives each series of {@code b} (of {@link #batch}) an exemplar {@code {trace_id="t<s>"}} at 1500 + s. */
    private static WriteBatch withExemplars(WriteBatch b) {
        byte[] buf = b.buf();
        byte[] name = "trace_id".getBytes(StandardCharsets.UTF_8);
        for (int s = 0; s < b.seriesCount(); s++) {
            byte[] value = ("t" + s).getBytes(StandardCharsets.UTF_8);
            int pos = b.seriesCount() * 16 + s * 16; // past the series' labels: batch() leaves this half free
            System.arraycopy(name, 0, buf, pos, name.length);
            System.arraycopy(value, 0, buf, pos + name.length, value.length);
            int e = b.exemplars().begin(s);
            b.exemplars().addLabel(e, pos, name.length, pos + name.length, value.length);
            b.exemplars().end(e, 1500 + s, Double.doubleToRawLongBits(0.25 * s));
        }
        return b;
    }

    @Test
    void exemplarsAreForwardedAndWrittenLocallyWithTheirSeries() throws Exception {
        WriteRequest r = WriteRequest.parseFrom(ForwardEncoder.encode("t", 1, withExemplars(batch(3)),
                new int[] {0, 2}, 2));
        io.jreceive.proto.prometheus.Exemplar zero = r.getTimeseries(0).getExemplars(0);
        assertEquals(1500, zero.getTimestamp());
        assertEquals(0.0, zero.getValue());
        assertEquals("trace_id", zero.getLabels(0).getName());
        assertEquals("t0", zero.getLabels(0).getValue());
        io.jreceive.proto.prometheus.Exemplar two = r.getTimeseries(1).getExemplars(0);
        assertEquals(1502, two.getTimestamp());
        assertEquals(0.5, two.getValue());
        assertEquals("t2", two.getLabels(0).getValue());
        assertEquals(2, r.getTimeseries(1).getSamplesCount(), "the series' samples still come first");

        List<String> nodes = ring(3, Hashrings.KETAMA, 3);
        routers.get(nodes.get(0)).write("t", 0, withExemplars(batch(10))).get(10, TimeUnit.SECONDS);
        List<String> want = new ArrayList<>();
        WriteBatch expected = withExemplars(batch(10));
        for (int e = 0; e < expected.exemplars().count(); e++) {
            want.add(expected.labels(expected.exemplars().series(e)) + " " + expected.exemplars().labels(e) + "@"
                    + expected.exemplars().timestamp(e) + "="
                    + Double.longBitsToDouble(expected.exemplars().valueBits(e)));
        }
        want.sort(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String a : nodes) {
            while (stores.get(a).exemplars().size() < want.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<String> got = stores.get(a).exemplars();
            got.sort(null);
            assertEquals(want, got, "node " + a + (a.equals(nodes.get(0)) ? " (local)" : " (forwarded)"));
        }
    }

    @Test
    void quorumAndBackoffFollowThanos() {
        assertEquals(1, Fanout.quorum(1));
        assertEquals(1, Fanout.quorum(2));
        assertEquals(2, Fanout.quorum(3));
        assertEquals(3, Fanout.quorum(4));
        assertEquals(3, Fanout.quorum(5));
        assertEquals(100_000_000L, Backoff.forAttempt(0, 5_000_000_000L, 0.7));
        assertEquals(150_000_000L, Backoff.forAttempt(1, 5_000_000_000L, 0.5));
        assertEquals(5_000_000_000L, Backoff.forAttempt(20, 5_000_000_000L, 0.9));
        assertEquals("AlreadyExists", PeerClients.goName(io.grpc.Status.Code.ALREADY_EXISTS));
        assertEquals("DeadlineExceeded", PeerClients.goName(io.grpc.Status.Code.DEADLINE_EXCEEDED));
    }

    private static io.grpc.CompressorRegistry compressors() {
        io.grpc.CompressorRegistry r = io.grpc.CompressorRegistry.newEmptyInstance();
        r.register(new io.jreceive.store.SnappyCodec());
        return r;
    }
}
