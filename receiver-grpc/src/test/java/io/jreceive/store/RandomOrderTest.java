package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;

/**
 * Random label sets over a small alphabet of names, including names that collide with external labels and replica
 * names and a name between the external names and a removed series name ({@code u}: kept, sorts after
 * {@code tenant_id} and before a removed {@code zz}), in two tenants: for every choice of {@code without_replica_labels} the answer must equal the expected
 * final label sets sorted by {@code labels.Compare}. This is the property the streaming reorder must keep.
 */
class RandomOrderTest {
    @TempDir
    Path dir;

    static final String[] NAMES = {"a", "b", "c", "m", "prometheus_replica", "replica", "tenant_id", "u", "zz"};
    static final String[] VALUES = {"0", "1", "x"};

    @Test
    void finalOrderForRandomSeries() throws Exception {
        Random rnd = new Random(7);
        try (StoreFixture fx = new StoreFixture(dir, Map.of("replica", "r0", "m", "ext"), 0, 0)) {
            for (String tenant : new String[] {"t1", "t2"}) {
                Set<Labels> ls = new LinkedHashSet<>();
                while (ls.size() < 300) {
                    Labels.Builder b = new Labels.Builder().set("__name__", "q");
                    for (String n : NAMES) {
                        if (rnd.nextInt(3) == 0) {
                            b.set(n, VALUES[rnd.nextInt(VALUES.length)]);
                        }
                    }
                    ls.add(b.build());
                }
                StoreFixture.Window w = fx.window();
                for (Labels l : ls) {
                    w.add(tenant, l, new long[] {1000}, new double[] {1});
                }
                w.write();
            }
            List<Set<String>> replicaChoices = List.of(Set.of(), Set.of("prometheus_replica"), Set.of("replica"),
                    Set.of("a"), Set.of("prometheus_replica", "replica", "m"), Set.of("tenant_id"),
                    Set.of("zz", "c"));
            for (Set<String> replicas : replicaChoices) {
                List<Labels> want = new ArrayList<>();
                fx.model.forEach((tenant, series) -> series.keySet().forEach(l -> {
                    Labels.Builder b = new Labels.Builder().setAll(l).set("replica", "r0").set("m", "ext")
                            .set("tenant_id", tenant);
                    for (String r : replicas) {
                        b.remove(r.getBytes(StandardCharsets.UTF_8));
                    }
                    want.add(b.build());
                }));
                want.sort(Labels::compareTo);
                List<SeriesResponse> frames = fx.series(SeriesRequest.newBuilder().setMinTime(0).setMaxTime(5000)
                        .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__")
                                .setValue("q")).addAllWithoutReplicaLabels(replicas).setSkipChunks(true).build());
                List<Labels> got = frames.stream().map(f -> StoreFixture.labels(f.getSeries().getLabelsList()))
                        .toList();
                assertEquals(want, got, "without " + replicas);
            }
        }
    }
}
