package io.jreceive.store;

import static io.jreceive.store.StoreFixture.H2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.LabelNamesRequest;
import io.jreceive.proto.thanos.LabelValuesRequest;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.ShardInfo;
import io.jreceive.store.StoreFixture.Answer;
import io.jreceive.tsdb.TenantDb;

/**
 * The StoreAPI against a real two-tenant TSDB holding 10h of data, most of it cut into 2h blocks and the rest in
 * the head, served over a loopback gRPC connection.
 */
class StoreServiceTest {
    static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % H2;
    static final long END = T0 + 10 * 3600_000L;
    static final String FFFD = "\uFFFD";
    static final String EMOJI = new String(Character.toChars(0x1F600));

    @TempDir
    static Path dir;
    static StoreFixture fx;

    @BeforeAll
    static void load() throws IOException {
        fx = new StoreFixture(dir, Map.of("replica", "rcv-0"), 0, 0);
        List<Labels> alpha = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            for (String r : new String[] {"0", "1"}) {
                alpha.add(Labels.of("__name__", "up", "cluster", "c1", "instance", "i" + i, "job", i <= 2 ? "a" : "b",
                        "prometheus_replica", r));
            }
        }
        alpha.add(Labels.of("__name__", "m", "lbl", FFFD));
        alpha.add(Labels.of("__name__", "m", "lbl", EMOJI));
        alpha.add(Labels.of("__name__", "p"));
        alpha.add(Labels.of("__name__", "p", "a", "x"));
        alpha.add(Labels.of("__name__", "p", "a", "x", "b", "y"));
        alpha.add(Labels.of("__name__", "z"));
        alpha.add(Labels.of("__name__", "z", "zz", "1"));
        alpha.add(Labels.of("__name__", "spoof", "tenant_id", "spoofed"));
        List<Labels> beta = List.of(
                Labels.of("__name__", "up", "cluster", "c2", "instance", "i1", "job", "a", "prometheus_replica", "0"),
                Labels.of("__name__", "m", "lbl", "x"));
        Labels big = Labels.of("__name__", "big");
        Random rnd = new Random(42);
        long window = 1800_000L;
        for (long w = T0; w < END; w += window) {
            StoreFixture.Window win = fx.window();
            for (Labels l : alpha) {
                win.add("alpha", l, times(w, w + window, 60_000), values(30, rnd));
            }
            for (Labels l : beta) {
                win.add("beta", l, times(w, w + window, 60_000), values(30, rnd));
            }
            long[] bt = times(w, w + window, 100);
            win.add("alpha", big, bt, values(bt.length, rnd));
            win.write();
        }
        for (TenantDb db : fx.tsdb.tenants()) {
            db.compact();
        }
        TenantDb a = fx.tsdb.tenant("alpha");
        assertTrue(a.blocks().size() >= 3, "blocks cut: " + a.blocks().size());
        assertTrue(a.head().numSeries() > 0, "head still holds data");
    }

    static long[] times(long from, long to, long step) {
        long[] t = new long[(int) ((to - from) / step)];
        for (int i = 0; i < t.length; i++) {
            t[i] = from + i * step;
        }
        return t;
    }

    static double[] values(int n, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextDouble() * 1e6;
        }
        return v;
    }

    @AfterAll
    static void close() throws IOException {
        fx.close();
    }

    static LabelMatcher m(LabelMatcher.Type t, String name, String value) {
        return LabelMatcher.newBuilder().setType(t).setName(name).setValue(value).build();
    }

    static SeriesRequest.Builder req(LabelMatcher... ms) {
        return SeriesRequest.newBuilder().setMinTime(T0 - 1).setMaxTime(END + H2).addAllMatchers(Arrays.asList(ms));
    }

    /** What a client must see: series labels with the tenant's external labels (winning) minus replica labels. */
    static Labels finalLabels(String tenant, Labels l, Set<String> replicas) {
        Labels.Builder b = new Labels.Builder().setAll(l).set("replica", "rcv-0").set("tenant_id", tenant);
        for (String r : replicas) {
            b.remove(r.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** The model's series selected by {@code p} (on the final labels), keyed and ordered by final labels. */
    static TreeMap<Labels, TreeMap<Long, Long>> expected(Predicate<Labels> p, long mint, long maxt) {
        TreeMap<Labels, TreeMap<Long, Long>> out = new TreeMap<>();
        fx.model.forEach((tenant, series) -> series.forEach((l, samples) -> {
            Labels f = finalLabels(tenant, l, Set.of());
            if (p.test(f) && !samples.subMap(mint, true, maxt, true).isEmpty()) {
                out.put(f, samples);
            }
        }));
        return out;
    }

    static void assertAnswer(TreeMap<Labels, TreeMap<Long, Long>> expected, List<Answer> got) {
        StoreFixture.assertStrictlySorted(got);
        assertEquals(new ArrayList<>(expected.keySet()), got.stream().map(Answer::labels).toList());
        for (Answer a : got) {
            StoreFixture.assertSamples(expected.get(a.labels()), a.samples(), a.labels().toString());
        }
    }

    @Test
    void everySampleOnceAcrossBlocksAndHead() {
        List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.RE, "__name__", ".+")).build()));
        assertAnswer(expected(l -> true, T0, END), got);
        for (Answer a : got) {
            assertTrue(a.labels().get("tenant_id").equals("alpha") || a.labels().get("tenant_id").equals("beta"));
            assertEquals("rcv-0", a.labels().get("replica"));
        }
        assertTrue(got.stream().anyMatch(a -> a.labels().get("tenant_id").equals("alpha"))
                && got.stream().anyMatch(a -> a.labels().get("tenant_id").equals("beta")));
    }

    @Test
    void externalLabelWinsOverSeriesLabel() {
        List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.EQ, "__name__", "spoof")).build()));
        assertEquals(1, got.size());
        assertEquals("alpha", got.get(0).labels().get("tenant_id"));
    }

    @Test
    void prefixChainComesOutInFinalOrder() {
        List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.RE, "__name__", "p|z")).build()));
        List<Labels> labels = got.stream().map(Answer::labels).toList();
        assertEquals(List.of(
                finalLabels("alpha", Labels.of("__name__", "p", "a", "x", "b", "y"), Set.of()),
                finalLabels("alpha", Labels.of("__name__", "p", "a", "x"), Set.of()),
                finalLabels("alpha", Labels.of("__name__", "p"), Set.of()),
                finalLabels("alpha", Labels.of("__name__", "z"), Set.of()),
                finalLabels("alpha", Labels.of("__name__", "z", "zz", "1"), Set.of())), labels);
    }

    @Test
    void skipChunksSendsLabelsOnly() {
        List<SeriesResponse> frames = fx.series(req(m(LabelMatcher.Type.RE, "__name__", ".+")).setSkipChunks(true)
                .build());
        List<Answer> got = StoreFixture.decode(frames);
        assertEquals(new ArrayList<>(expected(l -> true, T0, END).keySet()), got.stream().map(Answer::labels)
                .toList());
        assertTrue(frames.stream().allMatch(f -> f.getSeries().getChunksCount() == 0));
        assertEquals(got.size(), frames.size(), "one frame per series");
    }

    @Test
    void utf8ByteOrderNotUtf16() {
        assertTrue(EMOJI.compareTo(FFFD) < 0, "UTF-16 puts the emoji first");
        List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.EQ, "__name__", "m"),
                m(LabelMatcher.Type.EQ, "tenant_id", "alpha")).build()));
        assertEquals(List.of(FFFD, EMOJI), got.stream().map(a -> a.labels().get("lbl")).toList());
    }

    @Test
    void eachMatcherType() {
        record Case(List<LabelMatcher> ms, Predicate<Labels> p) {
        }
        Predicate<Labels> up = l -> "up".equals(l.get("__name__"));
        List<Case> cases = List.of(
                new Case(List.of(m(LabelMatcher.Type.EQ, "__name__", "up"), m(LabelMatcher.Type.EQ, "job", "a")),
                        up.and(l -> "a".equals(l.get("job")))),
                new Case(List.of(m(LabelMatcher.Type.EQ, "__name__", "up"), m(LabelMatcher.Type.NEQ, "job", "a")),
                        up.and(l -> !"a".equals(l.get("job")))),
                new Case(List.of(m(LabelMatcher.Type.RE, "instance", "i1|i3")),
                        l -> l.get("instance") != null && l.get("instance").matches("i1|i3")),
                new Case(List.of(m(LabelMatcher.Type.RE, "instance", "i[2-4]"), m(LabelMatcher.Type.EQ, "job", "b")),
                        l -> l.get("instance") != null && l.get("instance").matches("i[2-4]")
                                && "b".equals(l.get("job"))),
                new Case(List.of(m(LabelMatcher.Type.EQ, "__name__", "up"), m(LabelMatcher.Type.NRE, "instance",
                        "i[12]")), up.and(l -> !l.get("instance").matches("i[12]"))),
                new Case(List.of(m(LabelMatcher.Type.EQ, "job", "")),
                        l -> l.get("job") == null),
                new Case(List.of(m(LabelMatcher.Type.NEQ, "lbl", "")),
                        l -> l.get("lbl") != null),
                new Case(List.of(m(LabelMatcher.Type.RE, "a", ".*"), m(LabelMatcher.Type.EQ, "__name__", "p")),
                        l -> "p".equals(l.get("__name__"))),
                new Case(List.of(m(LabelMatcher.Type.RE, "a", ".+")),
                        l -> l.get("a") != null),
                new Case(List.of(m(LabelMatcher.Type.NRE, "lbl", ".*x.*"), m(LabelMatcher.Type.EQ, "__name__", "m")),
                        l -> "m".equals(l.get("__name__")) && !Pattern.compile("(?s).*x.*").matcher(l.get("lbl"))
                                .matches()),
                new Case(List.of(m(LabelMatcher.Type.EQ, "cluster", "c2")), l -> "c2".equals(l.get("cluster"))),
                new Case(List.of(m(LabelMatcher.Type.EQ, "tenant_id", "beta"), m(LabelMatcher.Type.RE, "__name__",
                        ".*")), l -> "beta".equals(l.get("tenant_id"))),
                new Case(List.of(m(LabelMatcher.Type.EQ, "tenant_id", "nobody"), m(LabelMatcher.Type.RE,
                        "__name__", ".+")), l -> false));
        for (Case c : cases) {
            List<Answer> got = StoreFixture.decode(fx.series(req().addAllMatchers(c.ms).build()));
            TreeMap<Labels, TreeMap<Long, Long>> want = expected(c.p, T0, END);
            assertAnswer(want, got);
            if (!c.ms.get(0).getValue().equals("nobody") && c.ms.size() > 0) {
                assertFalse(want.isEmpty() && !c.ms.get(0).getName().equals("tenant_id"), "case selects "
                        + c.ms);
            }
        }
    }

    @Test
    void timeRangePrunesChunks() {
        long mint = T0 + 3 * 3600_000L + 1234;
        long maxt = T0 + 5 * 3600_000L;
        List<SeriesResponse> frames = fx.series(req(m(LabelMatcher.Type.EQ, "__name__", "up"))
                .setMinTime(mint).setMaxTime(maxt).build());
        for (SeriesResponse f : frames) {
            f.getSeries().getChunksList().forEach(c -> assertTrue(c.getMaxTime() >= mint && c.getMinTime() <= maxt,
                    "chunk overlaps the range"));
        }
        for (Answer a : StoreFixture.decode(frames)) {
            Labels orig = fx.model.get(a.labels().get("tenant_id")).keySet().stream()
                    .filter(l -> finalLabels(a.labels().get("tenant_id"), l, Set.of()).equals(a.labels()))
                    .findFirst().orElseThrow();
            TreeMap<Long, Long> want = fx.model.get(a.labels().get("tenant_id")).get(orig);
            assertEquals(want.subMap(mint, true, maxt, true), a.samples().subMap(mint, true, maxt, true));
        }
    }

    @Test
    void withoutReplicaLabels() {
        Set<String> replicas = Set.of("prometheus_replica", "replica");
        List<SeriesResponse> frames = fx.series(req(m(LabelMatcher.Type.RE, "__name__", "up|p|z|m"))
                .addAllWithoutReplicaLabels(replicas).setSkipChunks(true).build());
        List<Labels> got = frames.stream().map(f -> StoreFixture.labels(f.getSeries().getLabelsList())).toList();
        List<Labels> want = new ArrayList<>();
        fx.model.forEach((t, s) -> s.keySet().stream().filter(l -> l.get("__name__").matches("up|p|z|m"))
                .forEach(l -> want.add(finalLabels(t, l, replicas))));
        want.sort(Labels::compareTo);
        assertEquals(want, got, "sorted, replica labels removed, collapsed series kept");
        assertTrue(got.stream().noneMatch(l -> l.get("prometheus_replica") != null || l.get("replica") != null));
        assertTrue(got.size() > new HashSet<>(got).size(), "the two replicas of a series now look alike");
    }

    @Test
    void seriesOverOneMebibyteSpansFrames() {
        List<SeriesResponse> frames = fx.series(req(m(LabelMatcher.Type.EQ, "__name__", "big")).build());
        assertTrue(frames.size() >= 3, "frames: " + frames.size());
        for (SeriesResponse f : frames) {
            int bytes = f.getSeries().getChunksList().stream().mapToInt(c -> c.getRaw().getData().size()).sum();
            assertTrue(bytes <= SeriesFrames.FRAME_BYTES, "frame holds " + bytes + " chunk bytes");
        }
        List<Answer> got = StoreFixture.decode(frames);
        assertEquals(1, got.size());
        assertEquals(frames.size(), got.get(0).frames());
        StoreFixture.assertSamples(fx.model.get("alpha").get(Labels.of("__name__", "big")), got.get(0).samples(),
                "big");
    }

    @Test
    void shardsPartitionTheSeries() {
        for (boolean by : new boolean[] {false, true}) {
            Set<Labels> all = new HashSet<>(expected(l -> true, T0, END).keySet());
            Set<Labels> union = new HashSet<>();
            int total = 3;
            for (int i = 0; i < total; i++) {
                ShardInfo si = ShardInfo.newBuilder().setShardIndex(i).setTotalShards(total).setBy(by)
                        .addLabels("instance").addLabels("__name__").build();
                List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.RE, "__name__", ".+"))
                        .setSkipChunks(true).setShardInfo(si).build()));
                StoreFixture.assertStrictlySorted(got);
                for (Answer a : got) {
                    assertTrue(union.add(a.labels()), "series in two shards: " + a.labels());
                }
                assertTrue(got.size() < all.size(), "a shard is a proper part");
            }
            assertEquals(all, union, "shards cover every series (by=" + by + ")");
        }
    }

    @Test
    void limitCutsTheAnswer() {
        List<Answer> got = StoreFixture.decode(fx.series(req(m(LabelMatcher.Type.RE, "__name__", ".+"))
                .setLimit(3).setSkipChunks(true).build()));
        assertEquals(new ArrayList<>(expected(l -> true, T0, END).keySet()).subList(0, 3),
                got.stream().map(Answer::labels).toList());
    }

    @Test
    void invalidRequests() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fx.series(req().build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("no matchers specified (excluding selector labels)", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> fx.series(req(m(LabelMatcher.Type.EQ, "tenant_id",
                "alpha")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("no matchers specified (excluding external labels)", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> fx.series(req(m(LabelMatcher.Type.RE, "a", "(")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void labelValuesAndNames() {
        assertEquals(List.of("c1", "c2"), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("cluster")
                .setStart(T0).setEnd(END).build()).getValuesList());
        assertEquals(List.of("alpha", "beta"), fx.store().labelValues(LabelValuesRequest.newBuilder()
                .setLabel("tenant_id").setStart(T0).setEnd(END).build()).getValuesList());
        assertEquals(List.of("beta"), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("tenant_id")
                .setStart(T0).setEnd(END).addMatchers(m(LabelMatcher.Type.EQ, "cluster", "c2")).build())
                .getValuesList());
        assertEquals(List.of("c1"), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("cluster")
                .setStart(T0).setEnd(END).addMatchers(m(LabelMatcher.Type.EQ, "tenant_id", "alpha")).build())
                .getValuesList());
        assertEquals(List.of(), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("replica")
                .addWithoutReplicaLabels("replica").setStart(T0).setEnd(END).build()).getValuesList());
        assertEquals(List.of("rcv-0"), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("replica")
                .setStart(T0).setEnd(END).build()).getValuesList());
        assertEquals(List.of("x", FFFD, EMOJI), fx.store().labelValues(LabelValuesRequest.newBuilder()
                .setLabel("lbl").setStart(T0).setEnd(END).build()).getValuesList(), "byte order");
        assertEquals(List.of(), fx.store().labelValues(LabelValuesRequest.newBuilder().setLabel("cluster")
                .setStart(END + 10 * H2).setEnd(END + 11 * H2).build()).getValuesList(), "no data then");

        List<String> names = fx.store().labelNames(LabelNamesRequest.newBuilder().setStart(T0).setEnd(END).build())
                .getNamesList();
        assertEquals(List.of("__name__", "a", "b", "cluster", "instance", "job", "lbl", "prometheus_replica",
                "replica", "tenant_id", "zz"), names);
        assertEquals(List.of("__name__", "cluster", "instance", "job", "prometheus_replica", "tenant_id"),
                fx.store().labelNames(LabelNamesRequest.newBuilder().setStart(T0).setEnd(END)
                        .addMatchers(m(LabelMatcher.Type.EQ, "cluster", "c2")).addWithoutReplicaLabels("replica")
                        .build()).getNamesList());
        assertEquals(3, fx.store().labelNames(LabelNamesRequest.newBuilder().setStart(T0).setEnd(END).setLimit(3)
                .build()).getNamesCount());
    }
}
