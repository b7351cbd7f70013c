package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.chunk.XorIterator;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.AggrChunk;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.openhft.hashing.LongHashFunction;

/**
 * A real multi-tenant TSDB in a temporary directory, written through the remote-write decoder and the head, with
 * a {@link StoreServer} on 127.0.0.1 and a client channel, plus a model of every sample accepted so answers can be
 * checked sample by sample.
 */
final class StoreFixture implements Closeable {
    static final long H2 = 2 * 3600 * 1000L;

    final MultiTsdb tsdb;
    final StoreServer server;
    final ManagedChannel channel;
    /** tenant → series labels (as written) → timestamp → value bits. */
    final Map<String, TreeMap<Labels, TreeMap<Long, Long>>> model = new LinkedHashMap<>();
    private final WriteBatch batch = new WriteBatch();
    private final Head.AppendContext ctx = new Head.AppendContext();

    StoreFixture(Path dir, Map<String, String> externalLabels, long maxSeries, long maxSamples) throws IOException {
        tsdb = new MultiTsdb(new TsdbConfig(dir, H2, 0, false, 0, externalLabels, "tenant_id"),
                new SimpleMeterRegistry());
        tsdb.open();
        server = new StoreServer(new StoreConfig("127.0.0.1", 0, null, null, null, 5_000, maxSeries, maxSamples, "1.3"),
                tsdb).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    /** Appends a request for a tenant through the decoder and the tenant's head and WAL; records it in the model. */
    synchronized void write(String tenant, RemoteWriteRequests r, List<Labels> labels, List<long[]> ts,
                            List<double[]> vs) {
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        tsdb.write(tenant, batch, ctx).join();
        assertEquals(r.sampleCount(), ctx.stats.appended, "every sample appended");
        TreeMap<Labels, TreeMap<Long, Long>> m = model.computeIfAbsent(tenant, k -> new TreeMap<>());
        for (int i = 0; i < labels.size(); i++) {
            TreeMap<Long, Long> s = m.computeIfAbsent(labels.get(i), k -> new TreeMap<>());
            for (int j = 0; j < ts.get(i).length; j++) {
                s.put(ts.get(i)[j], Double.doubleToRawLongBits(vs.get(i)[j]));
            }
        }
    }

    /** Collects requests per tenant for one time window, then writes them. */
    final class Window {
        private final Map<String, RemoteWriteRequests> reqs = new LinkedHashMap<>();
        private final Map<String, List<Labels>> ls = new LinkedHashMap<>();
        private final Map<String, List<long[]>> tss = new LinkedHashMap<>();
        private final Map<String, List<double[]>> vss = new LinkedHashMap<>();

        Window add(String tenant, Labels l, long[] t, double[] v) {
            reqs.computeIfAbsent(tenant, k -> new RemoteWriteRequests()).series(l, t, v);
            ls.computeIfAbsent(tenant, k -> new ArrayList<>()).add(l);
            tss.computeIfAbsent(tenant, k -> new ArrayList<>()).add(t);
            vss.computeIfAbsent(tenant, k -> new ArrayList<>()).add(v);
            return this;
        }

        void write() {
            for (String t : reqs.keySet()) {
                StoreFixture.this.write(t, reqs.get(t), ls.get(t), tss.get(t), vss.get(t));
            }
        }
    }

    Window window() {
        return new Window();
    }

    StoreGrpc.StoreBlockingStub store() {
        return StoreGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    List<SeriesResponse> series(SeriesRequest req) {
        List<SeriesResponse> out = new ArrayList<>();
        Iterator<SeriesResponse> it = store().series(req);
        it.forEachRemaining(out::add);
        return out;
    }

    static Labels labels(List<Label> ls) {
        Labels.Builder b = new Labels.Builder();
        for (Label l : ls) {
            b.set(l.getName(), l.getValue());
        }
        Labels out = b.build();
        for (int i = 0; i < ls.size(); i++) {
            assertEquals(out.nameString(i), ls.get(i).getName(), "labels sent sorted by name");
        }
        return out;
    }

    /** One series of an answer: its labels, its decoded samples, and the frames it took. */
    record Answer(Labels labels, TreeMap<Long, Long> samples, int frames, int chunks) {
    }

    /**
     * Joins frames into series (consecutive frames with equal labels continue one series), checking each chunk's
     * hash, that it decodes, that its min/max times are its first/last sample and that no timestamp comes twice.
     */
    static List<Answer> decode(List<SeriesResponse> frames) {
        LongHashFunction xx = LongHashFunction.xx();
        List<Answer> out = new ArrayList<>();
        for (SeriesResponse f : frames) {
            if (!f.hasSeries()) {
                continue;
            }
            Labels l = labels(f.getSeries().getLabelsList());
            Answer a;
            if (!out.isEmpty() && out.get(out.size() - 1).labels.equals(l)) {
                Answer prev = out.remove(out.size() - 1);
                a = new Answer(l, prev.samples, prev.frames + 1, prev.chunks + f.getSeries().getChunksCount());
            } else {
                a = new Answer(l, new TreeMap<>(), 1, f.getSeries().getChunksCount());
            }
            out.add(a);
            for (AggrChunk c : f.getSeries().getChunksList()) {
                byte[] d = c.getRaw().getData().toByteArray();
                assertEquals(xx.hashBytes(d), c.getRaw().getHash(), "chunk hash is xxhash64 of its data");
                XorIterator it = new XorIterator(d);
                long first = Long.MIN_VALUE;
                long last = Long.MIN_VALUE;
                while (it.next()) {
                    if (first == Long.MIN_VALUE) {
                        first = it.timestamp();
                    }
                    last = it.timestamp();
                    Long was = a.samples.put(it.timestamp(), it.valueBits());
                    assertTrue(was == null, "sample at " + it.timestamp() + " sent twice for " + l);
                }
                assertEquals(c.getMinTime(), first, "chunk min time is its first sample");
                assertEquals(c.getMaxTime(), last, "chunk max time is its last sample");
            }
        }
        return out;
    }

    /** Asserts answers come in strictly ascending label order (unsigned UTF-8 bytes). */
    static void assertStrictlySorted(List<Answer> answers) {
        for (int i = 1; i < answers.size(); i++) {
            assertTrue(answers.get(i - 1).labels.compareTo(answers.get(i).labels) < 0,
                    "order: " + answers.get(i - 1).labels + " then " + answers.get(i).labels);
        }
    }

    static void assertSamples(TreeMap<Long, Long> expected, TreeMap<Long, Long> got, String what) {
        assertEquals(expected.size(), got.size(), what + ": sample count");
        assertArrayEquals(expected.keySet().stream().mapToLong(Long::longValue).toArray(),
                got.keySet().stream().mapToLong(Long::longValue).toArray(), what + ": timestamps");
        assertEquals(expected, got, what + ": values");
    }

    @Override
    public void close() throws IOException {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        tsdb.close();
    }
}
