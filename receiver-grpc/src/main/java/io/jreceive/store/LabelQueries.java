package io.jreceive.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import io.jreceive.block.BlockReader;
import io.jreceive.block.ReadLease;
import io.jreceive.head.Head;
import io.jreceive.index.SeriesIndex;
import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;
import io.jreceive.query.PostingsForMatchers;
import io.jreceive.tsdb.TenantDb;

/**
 * LabelNames and LabelValues for one tenant, over the blocks and head that overlap {@code [start, end]}, as
 * Thanos' TSDBStore answers them: external label names are added to a non-empty name list; the values of an
 * external label name are its single value (when some series matches, if matchers were given); a name among
 * {@code without_replica_labels} has no values. Results are sets of UTF-8 byte strings, ordered unsigned.
 */
final class LabelQueries {
    private LabelQueries() {
    }

    static TreeSet<byte[]> newSet() {
        return new TreeSet<>(Arrays::compareUnsigned);
    }

    /**
     * The head (if it holds data in the range, in order or out of order) and the blocks overlapping
     * {@code [start, end]}.
     */
    static List<SeriesIndex> sources(TenantDb db, ReadLease lease, long start, long end) {
        List<SeriesIndex> out = new ArrayList<>();
        for (BlockReader b : db.blocks(lease)) {
            if (b.meta().minTime() <= end && b.meta().maxTime() > start) {
                out.add(b);
            }
        }
        Head h = db.head();
        if (h.minTime() <= end && h.maxTime() >= start
                || h.outOfOrderMinTime() <= end && h.outOfOrderMaxTime() >= start) {
            out.add(h);
        }
        return out;
    }

    /** Adds the tenant's label names to {@code out}; {@code matchers} exclude external-label matchers. */
    static void names(TenantDb db, ReadLease lease, List<Matcher> matchers, long start, long end,
                      Collection<String> replicas, TreeSet<byte[]> out) {
        TreeSet<byte[]> own = newSet();
        for (SeriesIndex s : sources(db, lease, start, end)) {
            if (matchers.isEmpty()) {
                own.addAll(s.labelNames());
                continue;
            }
            for (int ref : PostingsForMatchers.select(s, matchers)) {
                Labels l = s.labels(ref);
                if (l != null) {
                    for (int i = 0; i < l.size(); i++) {
                        own.add(l.name(i));
                    }
                }
            }
        }
        if (own.isEmpty()) {
            return;
        }
        Labels ext = db.externalLabels();
        for (int i = 0; i < ext.size(); i++) {
            if (!replicas.contains(ext.nameString(i))) {
                own.add(ext.name(i));
            }
        }
        out.addAll(own);
    }

    /** Adds the tenant's values of {@code name} to {@code out}. */
    static void values(TenantDb db, ReadLease lease, String name, List<Matcher> matchers, long start, long end,
                       Collection<String> replicas, TreeSet<byte[]> out) {
        if (replicas.contains(name)) {
            return;
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        List<SeriesIndex> sources = sources(db, lease, start, end);
        byte[] ext = db.externalLabels().get(n);
        if (ext != null) {
            if (matchers.isEmpty() || anyMatch(sources, matchers)) {
                out.add(ext);
            }
            return;
        }
        for (SeriesIndex s : sources) {
            if (matchers.isEmpty()) {
                out.addAll(s.labelValues(n));
                continue;
            }
            for (int ref : PostingsForMatchers.select(s, matchers)) {
                Labels l = s.labels(ref);
                byte[] v = l == null ? null : l.get(n);
                if (v != null && v.length > 0) {
                    out.add(v);
                }
            }
        }
    }

    private static boolean anyMatch(List<SeriesIndex> sources, List<Matcher> matchers) {
        for (SeriesIndex s : sources) {
            if (PostingsForMatchers.select(s, matchers).length > 0) {
                return true;
            }
        }
        return false;
    }
}
