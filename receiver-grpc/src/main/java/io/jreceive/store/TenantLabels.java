package io.jreceive.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import io.jreceive.labels.Labels;

/**
 * How one tenant's series labels become the labels a client sees: the tenant's external labels are added, winning
 * over same-named series labels, and the request's {@code without_replica_labels} are removed from both. So every
 * name in {@link #dropped()} (external names and replica names) is removed from the series labels and the constant
 * set {@link #added()} (external labels minus replica names) is merged in.
 */
final class TenantLabels {
    private final Labels added;
    private final byte[][] dropped;

    TenantLabels(Labels external, Collection<String> replicaLabels) {
        TreeSet<byte[]> drop = new TreeSet<>(Arrays::compareUnsigned);
        TreeSet<byte[]> replicas = new TreeSet<>(Arrays::compareUnsigned);
        for (String r : replicaLabels) {
            replicas.add(r.getBytes(StandardCharsets.UTF_8));
        }
        drop.addAll(replicas);
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < external.size(); i++) {
            drop.add(external.name(i));
            if (!replicas.contains(external.name(i))) {
                kept.add(external.name(i));
                kept.add(external.value(i));
            }
        }
        this.added = Labels.wrapSorted(kept.toArray(new byte[0][]));
        this.dropped = drop.toArray(new byte[0][]);
    }

    /** The constant labels merged into every series. */
    Labels added() {
        return added;
    }

    /** Names removed from every series' own labels, ascending unsigned. */
    byte[][] dropped() {
        return dropped;
    }

    /** The greatest name in {@link #added()}, or null when nothing is added. */
    byte[] maxAddedName() {
        return added.isEmpty() ? null : added.name(added.size() - 1);
    }

    boolean isDropped(byte[] name) {
        return Arrays.binarySearch(dropped, name, Arrays::compareUnsigned) >= 0;
    }

    /** The client-visible labels of a series with labels {@code series}. */
    Labels apply(Labels series) {
        byte[][] s = series.pairs();
        byte[][] a = added.pairs();
        byte[][] out = new byte[s.length + a.length][];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < s.length || j < a.length) {
            if (i < s.length && isDropped(s[i])) {
                i += 2;
                continue;
            }
            if (j >= a.length || (i < s.length && Arrays.compareUnsigned(s[i], a[j]) < 0)) {
                out[n++] = s[i];
                out[n++] = s[i + 1];
                i += 2;
            } else {
                out[n++] = a[j];
                out[n++] = a[j + 1];
                j += 2;
            }
        }
        return Labels.wrapSorted(n == out.length ? out : Arrays.copyOf(out, n));
    }
}
