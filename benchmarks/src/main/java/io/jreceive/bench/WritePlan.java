package io.jreceive.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every request of a load run, encoded before the clock starts and grouped by the shard that sends them in order.
 *
 * <p>Series are pinned to shards by {@link SyntheticSeries#shard(int)}. Within a shard, series of one tenant form a
 * group whose round-major sample stream is cut into requests of {@code batch} samples (the last one shorter), like
 * Prometheus' {@code max_samples_per_send}; a shard holding several tenants alternates between their groups
 * request by request, which keeps each group's order. A series' samples therefore always leave in increasing time
 * order on one connection.
 */
public final class WritePlan {
    private final SyntheticSeries data;
    private final int protocol;
    private final List<List<WriteBatch>> shards;
    private final long encodedBytes;

    private WritePlan(SyntheticSeries data, int protocol, List<List<WriteBatch>> shards) {
        this.data = data;
        this.protocol = protocol;
        this.shards = shards;
        long bytes = 0;
        for (List<WriteBatch> s : shards) {
            for (WriteBatch b : s) {
                bytes += b.body().length;
            }
        }
        this.encodedBytes = bytes;
    }

    /**
     * Cuts and encodes all requests; shards are encoded in parallel on the common pool.
     *
     * @param batch    samples per request, at least 1
     * @param protocol 1 or 2
     */
    public static WritePlan build(SyntheticSeries data, int batch, int protocol) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        int shardCount = data.shards();
        int groupsPerShard = Math.max(1, data.tenants());
        int[] sizes = new int[shardCount * groupsPerShard];
        int[] shardOf = new int[data.series()];
        for (int i = 0; i < data.series(); i++) {
            shardOf[i] = data.shard(i);
            sizes[shardOf[i] * groupsPerShard + data.tenantIndex(i)]++;
        }
        int[][] groups = new int[sizes.length][];
        for (int g = 0; g < sizes.length; g++) {
            groups[g] = new int[sizes[g]];
        }
        for (int size : sizes) {
            if ((long) size * data.samples() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a shard holds " + size + " series x " + data.samples()
                    + " samples, more than 2^31-1; raise --concurrency or lower --samples");
            }
        }
        int[] fill = new int[sizes.length];
        for (int i = 0; i < data.series(); i++) {
            int g = shardOf[i] * groupsPerShard + data.tenantIndex(i);
            groups[g][fill[g]++] = i;
        }
        RemoteWriteEncoder encoder = new RemoteWriteEncoder(data, protocol);
        List<List<WriteBatch>> shards = IntStream.range(0, shardCount).parallel()
            .mapToObj(s -> cut(data, encoder, s, groups, groupsPerShard, batch))
            .toList();
        return new WritePlan(data, protocol, shards);
    }

    private static List<WriteBatch> cut(SyntheticSeries data, RemoteWriteEncoder encoder, int shard, int[][] groups,
                                        int groupsPerShard, int batch) {
        RemoteWriteEncoder.Session session = encoder.session();
        long[] next = new long[groupsPerShard];
        List<WriteBatch> out = new ArrayList<>();
        boolean more = true;
        while (more) {
            more = false;
            for (int t = 0; t < groupsPerShard; t++) {
                int[] group = groups[shard * groupsPerShard + t];
                long len = (long) group.length * data.samples();
                if (next[t] >= len) {
                    continue;
                }
                int from = (int) next[t];
                int to = (int) Math.min(len, next[t] + batch);
                String tenant = data.tenants() == 0 ? null : SyntheticSeries.tenantName(t);
                WriteBatch b = new WriteBatch(shard, tenant, group, from, to, null);
                out.add(b.withBody(session.encode(b)));
                next[t] = to;
                more = true;
            }
        }
        return out;
    }

    public SyntheticSeries data() {
        return data;
    }

    public int protocol() {
        return protocol;
    }

    /** The requests of each shard, in sending order. */
    public List<List<WriteBatch>> shards() {
        return shards;
    }

    /** Number of requests over all shards. */
    public int requests() {
        int n = 0;
        for (List<WriteBatch> s : shards) {
            n += s.size();
        }
        return n;
    }

    /** Compressed bytes over all requests. */
    public long encodedBytes() {
        return encodedBytes;
    }
}
