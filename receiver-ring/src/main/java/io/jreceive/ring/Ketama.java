package io.jreceive.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.openhft.hashing.LongHashFunction;

/**
 * Thanos' {@code ketama} placement ({@code ketamaHashring}): every endpoint (in configuration order) owns
 * {@code sectionsPerNode} points on a 64-bit ring, point {@code i} (1-based) at XXH64 (seed 0) of
 * {@code address + ":" + i}; points are sorted by unsigned hash. A series goes to the first point whose hash is
 * {@code >=} the series hash (wrapping to the first point). Each point's replica list is computed up front for the
 * replication factor: walk the ring from the point, skip endpoints already chosen and, when more than one AZ exists
 * (no AZ counts as AZ {@code ""}), skip a candidate whose AZ has picks and more picks than the least-picked AZ.
 * Thanos runs 1000 sections per node ({@link #SECTIONS_PER_NODE}); its unit tests use 10.
 */
public final class Ketama implements Placement {
    /** Thanos' {@code SectionsPerNode}. */
    public static final int SECTIONS_PER_NODE = 1000;
    static final String TOO_FEW = "ketama: amount of endpoints needs to be larger than replication factor";

    private final List<Endpoint> endpoints;
    private final int[] canonical;
    /** Section hashes, sorted as unsigned. */
    private final long[] hashes;
    /** Per section, the endpoint indexes of replicas 0..RF-1. */
    private final int[][] replicas;
    /** How many top bits of a hash pick its bucket: about one section per bucket. */
    private final int bucketBits;
    /**
     * {@code buckets[b]}: the first section whose hash's top {@link #bucketBits} bits are {@code >= b}; the search for
     * a hash starts within its bucket's few sections instead of over all of them (the routing's per-series cost).
     */
    private final int[] buckets;

    public Ketama(List<Endpoint> endpoints, int replicationFactor, int sectionsPerNode) {
        if (endpoints.size() < replicationFactor) {
            throw new IllegalArgumentException(TOO_FEW);
        }
        this.endpoints = List.copyOf(endpoints);
        canonical = Placement.firstOccurrences(this.endpoints);
        LongHashFunction xx = LongHashFunction.xx(0);
        int count = endpoints.size() * sectionsPerNode;
        long[][] sections = new long[count][];
        int k = 0;
        for (int e = 0; e < endpoints.size(); e++) {
            String address = endpoints.get(e).address();
            for (int i = 1; i <= sectionsPerNode; i++) {
                byte[] b = (address + ":" + i).getBytes(StandardCharsets.UTF_8);
                sections[k++] = new long[] {xx.hashBytes(b), e};
            }
        }
        Arrays.sort(sections, (a, b) -> Long.compareUnsigned(a[0], b[0]));
        hashes = new long[count];
        int[] owner = new int[count];
        for (int i = 0; i < count; i++) {
            hashes[i] = sections[i][0];
            owner[i] = (int) sections[i][1];
        }
        replicas = replicas(owner, this.endpoints, replicationFactor);
        bucketBits = Math.max(1, Math.min(16, 32 - Integer.numberOfLeadingZeros(count)));
        buckets = new int[(1 << bucketBits) + 1];
        for (int b = 0, i = 0; b < buckets.length; b++) {
            while (i < count && (hashes[i] >>> (64 - bucketBits)) < b) {
                i++;
            }
            buckets[b] = i;
        }
    }

    /** Thanos' {@code calculateSectionReplicas}. */
    private static int[][] replicas(int[] owner, List<Endpoint> endpoints, int rf) {
        Set<String> zones = new HashSet<>();
        for (Endpoint e : endpoints) {
            zones.add(e.az());
        }
        int[][] out = new int[owner.length][];
        for (int s = 0; s < owner.length; s++) {
            int[] picked = new int[rf];
            int n = 0;
            boolean[] taken = new boolean[endpoints.size()];
            Map<String, Integer> spread = new HashMap<>();
            for (String z : zones) {
                spread.put(z, 0);
            }
            for (int j = s, steps = 0; n < rf; j = (j + 1) % owner.length, steps++) {
                if (steps > 2 * owner.length) {
                    // Thanos loops forever here (e.g. three endpoints in one AZ, one in another, RF 4).
                    throw new IllegalArgumentException("ketama: cannot spread " + rf
                            + " replicas over the availability zones of " + endpoints.size() + " endpoints");
                }
                int candidate = owner[j];
                if (taken[candidate]) {
                    continue;
                }
                String az = endpoints.get(candidate).az();
                int picks = spread.get(az);
                if (spread.size() > 1 && picks > 0 && picks > min(spread)) {
                    continue;
                }
                taken[candidate] = true;
                spread.put(az, picks + 1);
                picked[n++] = candidate;
            }
            out[s] = picked;
        }
        return out;
    }

    private static int min(Map<String, Integer> spread) {
        int m = Integer.MAX_VALUE;
        for (int v : spread.values()) {
            m = Math.min(m, v);
        }
        return m;
    }

    @Override
    public Endpoint endpoint(long hash, int n) {
        if (n < 0 || n >= endpoints.size()) {
            throw new InsufficientNodesException(endpoints.size(), (long) n + 1);
        }
        int i = firstAtOrAbove(hash);
        int[] r = replicas[i == hashes.length ? 0 : i];
        if (n >= r.length) {
            // Thanos indexes past the precomputed list and panics; a replica beyond the factor is a caller error.
            throw new InsufficientNodesException(r.length, (long) n + 1);
        }
        return endpoints.get(r[n]);
    }

    @Override
    public void endpointIndexes(long hash, int first, int count, int[] out) {
        if (first < 0 || first + count > endpoints.size()) {
            throw new InsufficientNodesException(endpoints.size(), (long) first + count);
        }
        int i = firstAtOrAbove(hash);
        // Past the last section wraps to the first: without a branch, since few hashes wrap (1 in 3000 with three
        // endpoints) and a branch the JIT saw untaken traps and throws away the compiled router when one does.
        i &= (i - hashes.length) >> 31;
        int[] r = replicas[i];
        if (first + count > r.length) {
            throw new InsufficientNodesException(r.length, (long) first + count);
        }
        for (int k = 0; k < count; k++) {
            out[k] = canonical[r[first + k]];
        }
    }

    /**
     * Go's {@code sort.Search} for the first section hash {@code >= v}, unsigned: within {@code v}'s bucket, since every
     * section before it is below {@code v} and every one after it above.
     */
    private int firstAtOrAbove(long v) {
        int b = (int) (v >>> (64 - bucketBits));
        int lo = buckets[b];
        int hi = buckets[b + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(hashes[mid], v) >= 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public List<Endpoint> endpoints() {
        return new ArrayList<>(endpoints);
    }
}
