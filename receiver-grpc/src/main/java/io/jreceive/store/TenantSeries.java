package io.jreceive.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

import io.jreceive.block.BlockReader;
import io.jreceive.block.ReadLease;
import io.jreceive.index.SeriesIndex;
import io.jreceive.query.Matcher;
import io.jreceive.query.PostingsForMatchers;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.query.SeriesSelector;
import io.jreceive.tsdb.TenantDb;

/**
 * One tenant's answer to a Series request, ordered by the labels the client sees (external labels added, replica
 * labels removed), streamed without sorting the whole result as Thanos' resorting server does.
 *
 * <p>Removing a label name that series carry with different values can reorder series arbitrarily, so the
 * matched series are first split by the values of the dropped names they carry (one {@link SeriesSelector} per
 * combination, an {@code =} matcher per name, the empty value standing for absence). Within one part the dropped
 * pairs are the same for every series. A part without such pairs (the usual case: replica and external names are
 * not series labels) {@link PrefixReorder} puts in final order holding back only a prefix chain; a part whose
 * series carry dropped pairs is sorted in memory ({@link SortedPart}), since removing a pair can move a series past
 * any number of others. The parts are then merged. Memory is one series per part plus the prefix chains (and the
 * sorted parts): with the usual replica label that is two or three parts; a high-cardinality name in
 * {@code without_replica_labels} costs one open series per value of it.
 */
final class TenantSeries {
    private TenantSeries() {
    }

    /** The tenant's series for {@code matchers} (external-label matchers already removed) in final order. */
    static Iterator<SeriesChunks> select(TenantDb db, ReadLease lease, List<Matcher> matchers, long mint, long maxt,
                                           TenantLabels relabel) {
        List<SeriesIndex> sources = sources(db, lease, mint, maxt);
        List<List<Matcher>> parts = new ArrayList<>();
        parts.add(List.of());
        for (byte[] name : relabel.dropped()) {
            TreeSet<byte[]> values = new TreeSet<>(Arrays::compareUnsigned);
            for (SeriesIndex s : sources) {
                values.addAll(s.labelValues(name));
            }
            if (values.isEmpty()) {
                continue;
            }
            values.add(new byte[0]);
            String n = new String(name, StandardCharsets.UTF_8);
            List<List<Matcher>> split = new ArrayList<>();
            for (List<Matcher> p : parts) {
                for (byte[] v : values) {
                    List<Matcher> q = new ArrayList<>(p);
                    q.add(Matcher.eq(n, new String(v, StandardCharsets.UTF_8)));
                    if (anyMatch(sources, matchers, q)) {
                        split.add(q);
                    }
                }
            }
            parts = split;
        }
        List<Iterator<SeriesChunks>> streams = new ArrayList<>(parts.size());
        for (List<Matcher> p : parts) {
            List<Matcher> all = new ArrayList<>(matchers);
            all.addAll(p);
            SeriesSelector in = new SeriesSelector(db, lease, all, mint, maxt);
            boolean carriesDropped = p.stream().anyMatch(m -> !m.value().isEmpty());
            streams.add(carriesDropped ? new SortedPart(in, relabel) : new PrefixReorder(in, relabel));
        }
        return streams.size() == 1 ? streams.get(0) : new SortedMerge(streams);
    }

    /** The head and the blocks overlapping {@code [mint, maxt]}, held by {@code lease}. */
    static List<SeriesIndex> sources(TenantDb db, ReadLease lease, long mint, long maxt) {
        List<SeriesIndex> out = new ArrayList<>();
        for (BlockReader b : db.blocks(lease)) {
            if (b.meta().minTime() <= maxt && b.meta().maxTime() > mint) {
                out.add(b);
            }
        }
        out.add(db.head());
        return out;
    }

    private static boolean anyMatch(List<SeriesIndex> sources, List<Matcher> matchers, List<Matcher> extra) {
        List<Matcher> all = new ArrayList<>(matchers);
        all.addAll(extra);
        for (SeriesIndex s : sources) {
            if (PostingsForMatchers.select(s, all).length > 0) {
                return true;
            }
        }
        return false;
    }
}
