package io.jreceive.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jreceive.histogram.Span;

/**
 * Bucket-layout arithmetic of Prometheus' {@code histogram_meta.go} and the span comparisons of its histogram
 * appenders: which empty buckets must be inserted into a chunk ("forward") or into a new sample ("backward") so
 * that both share one layout, and whether a bucket disappeared or shrank (a counter reset). An insert of
 * {@code num} buckets goes before the {@code pos}'th bucket of the original array; {@code bucketIdx} is the first
 * inserted bucket's index.
 */
final class BucketInserts {
    /** One run of buckets to insert, as Prometheus' {@code Insert}. */
    static final class Insert {
        int pos;
        int num;
        int bucketIdx;

        Insert copy() {
            Insert i = new Insert();
            i.pos = pos;
            i.num = num;
            i.bucketIdx = bucketIdx;
            return i;
        }
    }

    /** Forward and backward inserts of an appendability check; {@code ok} false means a counter reset. */
    record Expansion(List<Insert> forward, List<Insert> backward, boolean ok) {
        static final Expansion RESET = new Expansion(List.of(), List.of(), false);
        /** Same layout on both sides, no count went down: what almost every append of a scraped series finds. */
        static final Expansion SAME = new Expansion(List.of(), List.of(), true);
    }

    /** Forward and backward inserts of a gauge appendability check, with the union of both layouts. */
    record BothWays(List<Insert> forward, List<Insert> backward, Span[] merged) {
    }

    private BucketInserts() {
    }

    /** Iterates the bucket indexes spans cover, as Prometheus' {@code bucketIterator}. */
    static final class BucketIterator {
        private final Span[] spans;
        private int span;
        private int bucket = -1;
        private int idx = -1;
        /** The index of the last yielded bucket, valid after {@link #next()} returned true. */
        int at;

        BucketIterator(Span[] spans) {
            this.spans = spans;
            if (spans.length > 0) {
                idx += spans[0].offset();
            }
        }

        boolean next() {
            if (span >= spans.length) {
                return false;
            }
            if (bucket < spans[span].length() - 1) {
                bucket++;
                idx++;
                at = idx;
                return true;
            }
            while (span < spans.length - 1) {
                span++;
                idx += spans[span].offset() + 1;
                bucket = 0;
                if (spans[span].length() == 0) {
                    idx--;
                    continue;
                }
                at = idx;
                return true;
            }
            return false;
        }
    }

    /** Bucket counts of one side of a comparison, advanced in step with its spans. */
    private interface Counts {
        /** The absolute count of the {@code i}'th bucket, given the running count up to bucket {@code i-1}. */
        double count(int i, double runningBefore);
    }

    /**
     * Prometheus' {@code expandIntSpansAndBuckets}: inserts that widen chunk layout {@code a} to new sample layout
     * {@code b}, and inserts that widen {@code b} by buckets of {@code a} that are empty; not ok (a counter reset) if
     * a used bucket of {@code a} is missing in {@code b} or any bucket count went down. Bucket arrays are deltas.
     */
    static Expansion expandInt(Span[] a, Span[] b, long[] aBuckets, long[] bBuckets) {
        if (Arrays.equals(a, b) && aBuckets.length == bBuckets.length) {
            // Equal spans walk in step: no insert either way, a reset if any bucket shrank. This skips the general
            // walk's lists and lambdas, the bulk of what a histogram append allocated.
            long ac = 0;
            long bc = 0;
            for (int i = 0; i < aBuckets.length; i++) {
                ac += aBuckets[i];
                bc += bBuckets[i];
                if (ac > bc) {
                    return Expansion.RESET;
                }
            }
            return Expansion.SAME;
        }
        return expand(a, b, (i, before) -> before + aBuckets[i], (i, before) -> before + bBuckets[i]);
    }

    /** Prometheus' {@code expandFloatSpansAndBuckets}: as {@link #expandInt} for absolute float counts. */
    static Expansion expandFloat(Span[] a, Span[] b, double[] aBuckets, double[] bBuckets) {
        return expand(a, b, (i, before) -> aBuckets[i], (i, before) -> bBuckets[i]);
    }

    private static Expansion expand(Span[] a, Span[] b, Counts aCounts, Counts bCounts) {
        BucketIterator ai = new BucketIterator(a);
        BucketIterator bi = new BucketIterator(b);
        List<Insert> aInserts = new ArrayList<>();
        List<Insert> bInserts = new ArrayList<>();
        Insert aInter = new Insert();
        Insert bInter = new Insert();
        boolean aOK = ai.next();
        boolean bOK = bi.next();
        int aCountIdx = 0;
        int bCountIdx = 0;
        // Integer bucket counts are summed as longs in Prometheus; doubles are exact up to 2^53, past any real count.
        double aCount = aOK ? aCounts.count(0, 0) : 0;
        double bCount = bOK ? bCounts.count(0, 0) : 0;
        while (true) {
            if (aOK && bOK) {
                if (ai.at == bi.at) {
                    if (aCount > bCount) {
                        return Expansion.RESET;
                    }
                    flush(aInserts, aInter);
                    aOK = ai.next();
                    aInter.pos++;
                    aCountIdx++;
                    if (aOK) {
                        aCount = aCounts.count(aCountIdx, aCount);
                    }
                    flush(bInserts, bInter);
                    bOK = bi.next();
                    bInter.pos++;
                    bCountIdx++;
                    if (bOK) {
                        bCount = bCounts.count(bCountIdx, bCount);
                    }
                    continue;
                }
                if (ai.at < bi.at) {
                    if (aCount != 0) {
                        return Expansion.RESET;
                    }
                    addInsert(bInserts, bInter, ai.at);
                    flush(aInserts, aInter);
                    aOK = ai.next();
                    aInter.pos++;
                    aCountIdx++;
                    if (aOK) {
                        aCount = aCounts.count(aCountIdx, aCount);
                    }
                    continue;
                }
                addInsert(aInserts, aInter, bi.at);
                flush(bInserts, bInter);
                bOK = bi.next();
                bInter.pos++;
                bCountIdx++;
                if (bOK) {
                    bCount = bCounts.count(bCountIdx, bCount);
                }
            } else if (aOK) {
                if (aCount != 0) {
                    return Expansion.RESET;
                }
                addInsert(bInserts, bInter, ai.at);
                flush(aInserts, aInter);
                aOK = ai.next();
                aInter.pos++;
                aCountIdx++;
                if (aOK) {
                    aCount = aCounts.count(aCountIdx, aCount);
                }
            } else if (bOK) {
                addInsert(aInserts, aInter, bi.at);
                flush(bInserts, bInter);
                bOK = bi.next();
                bInter.pos++;
                bCountIdx++;
                if (bOK) {
                    bCount = bCounts.count(bCountIdx, bCount);
                }
            } else {
                flush(aInserts, aInter);
                flush(bInserts, bInter);
                return new Expansion(aInserts, bInserts, true);
            }
        }
    }

    private static void flush(List<Insert> inserts, Insert inter) {
        if (inter.num > 0) {
            inserts.add(inter.copy());
            inter.num = 0;
        }
    }

    private static void addInsert(List<Insert> inserts, Insert insert, int otherIdx) {
        if (insert.num == 0) {
            insert.bucketIdx = otherIdx;
        } else if (insert.bucketIdx + insert.num != otherIdx) {
            inserts.add(insert.copy());
            insert.num = 0;
            insert.bucketIdx = otherIdx;
        }
        insert.num++;
    }

    /**
     * Prometheus' {@code expandSpansBothWays} for gauge histograms: {@code b} may cover entirely different buckets
     * and nothing is a reset. Returns the inserts widening {@code a} by buckets only {@code b} has, those widening
     * {@code b} by buckets only {@code a} has, and the merged layout.
     */
    static BothWays expandBothWays(Span[] a, Span[] b) {
        BucketIterator ai = new BucketIterator(a);
        BucketIterator bi = new BucketIterator(b);
        List<Insert> fInserts = new ArrayList<>();
        List<Insert> bInserts = new ArrayList<>();
        SpanBuilder merged = new SpanBuilder();
        Insert fInter = new Insert();
        Insert bInter = new Insert();
        boolean aOK = ai.next();
        boolean bOK = bi.next();
        while (true) {
            if (aOK && bOK) {
                if (ai.at == bi.at) {
                    flush(fInserts, fInter);
                    flush(bInserts, bInter);
                    merged.add(ai.at);
                    aOK = ai.next();
                    bOK = bi.next();
                    fInter.pos++;
                    bInter.pos++;
                } else if (ai.at < bi.at) {
                    bInter.num++;
                    flush(fInserts, fInter);
                    merged.add(ai.at);
                    fInter.pos++;
                    aOK = ai.next();
                } else {
                    fInter.num++;
                    flush(bInserts, bInter);
                    merged.add(bi.at);
                    bInter.pos++;
                    bOK = bi.next();
                }
            } else if (aOK) {
                bInter.num++;
                merged.add(ai.at);
                aOK = ai.next();
            } else if (bOK) {
                fInter.num++;
                merged.add(bi.at);
                bOK = bi.next();
            } else {
                flush(fInserts, fInter);
                flush(bInserts, bInter);
                return new BothWays(fInserts, bInserts, merged.spans());
            }
        }
    }

    /** Builds spans from increasing bucket indexes, as the {@code addBucket} closures of Prometheus. */
    private static final class SpanBuilder {
        private final List<int[]> spans = new ArrayList<>(); // {offset, length}
        private int lastBucket;

        void add(int bucket) {
            int offset = bucket - lastBucket - 1;
            if (offset == 0 && !spans.isEmpty()) {
                spans.get(spans.size() - 1)[1]++;
            } else {
                if (spans.isEmpty()) {
                    offset++;
                }
                spans.add(new int[] {offset, 1});
            }
            lastBucket = bucket;
        }

        Span[] spans() {
            Span[] out = new Span[spans.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = new Span(spans.get(i)[0], spans.get(i)[1]);
            }
            return out;
        }
    }

    /** Prometheus' {@code adjustForInserts}: {@code spans} widened by the buckets the inserts name. */
    static Span[] adjustForInserts(Span[] spans, List<Insert> inserts) {
        if (inserts.isEmpty()) {
            return spans;
        }
        BucketIterator it = new BucketIterator(spans);
        SpanBuilder merged = new SpanBuilder();
        int i = 0;
        int insertIdx = inserts.get(0).bucketIdx;
        int insertNum = inserts.get(0).num;
        boolean ok = it.next();
        while (ok) {
            if (i < inserts.size() && insertIdx < it.at) {
                merged.add(insertIdx);
                insertNum--;
                if (insertNum == 0) {
                    i++;
                    if (i < inserts.size()) {
                        insertIdx = inserts.get(i).bucketIdx;
                        insertNum = inserts.get(i).num;
                    }
                } else {
                    insertIdx++;
                }
            } else {
                merged.add(it.at);
                ok = it.next();
            }
        }
        while (i < inserts.size()) {
            merged.add(insertIdx);
            insertNum--;
            if (insertNum == 0) {
                i++;
                if (i < inserts.size()) {
                    insertIdx = inserts.get(i).bucketIdx;
                    insertNum = inserts.get(i).num;
                }
            } else {
                insertIdx++;
            }
        }
        return merged.spans();
    }

    /**
     * Prometheus' {@code insert} for delta-encoded integer buckets: {@code in} widened to {@code outLength} buckets
     * with empty ones where the inserts say, each old bucket's delta rebased so that counts stay the same.
     */
    static long[] insertDeltas(long[] in, int outLength, List<Insert> inserts) {
        long[] out = new long[outLength];
        int oi = 0;
        long v = 0;
        int ii = 0;
        for (int i = 0; i < in.length; i++) {
            long d = in[i];
            if (ii >= inserts.size() || i != inserts.get(ii).pos) {
                out[oi++] = d;
                v += d;
                continue;
            }
            boolean first = true;
            while (ii < inserts.size() && i == inserts.get(ii).pos) {
                out[oi++] = first ? -v : 0;
                first = false;
                for (int x = 1; x < inserts.get(ii).num; x++) {
                    out[oi++] = 0;
                }
                ii++;
            }
            out[oi++] = d + v;
            v += d;
        }
        while (ii < inserts.size()) {
            if (inserts.get(ii).pos < in.length) {
                throw new IllegalStateException("leftover inserts must be after the current buckets");
            }
            out[oi++] = -v;
            for (int x = 1; x < inserts.get(ii).num; x++) {
                out[oi++] = 0;
            }
            ii++;
            v = 0;
        }
        return out;
    }

    /** Prometheus' {@code insert} for absolute float buckets: empty buckets where the inserts say. */
    static double[] insertAbsolute(double[] in, int outLength, List<Insert> inserts) {
        double[] out = new double[outLength];
        int oi = 0;
        int ii = 0;
        for (int i = 0; i < in.length; i++) {
            while (ii < inserts.size() && i == inserts.get(ii).pos) {
                oi += inserts.get(ii).num;
                ii++;
            }
            out[oi++] = in[i];
        }
        return out;
    }
}
