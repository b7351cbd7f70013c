package io.jreceive.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.collections.IntArrayList;

import io.jreceive.index.SeriesIndex;

/**
 * Evaluates matchers on a {@link SeriesIndex} the way Prometheus' {@code PostingsForMatchers} does. A matcher that
 * rejects the empty value selects the union of the postings of the values it accepts, and those sets are
 * intersected. A matcher that accepts the empty value also selects series lacking the label, so it is applied by
 * subtracting the postings of the values it rejects. With no matcher of the first kind the start set is every
 * series. Values of a regex matcher are found by testing each value of the label, except for literal alternations
 * ({@code a|b|c}) whose postings are read directly.
 */
public final class PostingsForMatchers {
    private static final int[] EMPTY = new int[0];

    private PostingsForMatchers() {
    }

    /** The references of every series matching all {@code matchers}, strictly ascending. */
    public static int[] select(SeriesIndex index, List<Matcher> matchers) {
        List<int[]> intersect = new ArrayList<>();
        List<int[]> subtract = new ArrayList<>();
        for (Matcher m : matchers) {
            if (m.matchesEmpty()) {
                if (m.type() == Matcher.Type.RE && ".*".equals(m.value())) {
                    continue; // matches every value and absence: no restriction
                }
                int[] rejected = union(index, m.inverse());
                if (rejected.length > 0) {
                    subtract.add(rejected);
                }
            } else {
                int[] accepted = union(index, m);
                if (accepted.length == 0) {
                    return EMPTY;
                }
                intersect.add(accepted);
            }
        }
        int[] out;
        if (intersect.isEmpty()) {
            out = index.allPostings();
        } else {
            intersect.sort((a, b) -> Integer.compare(a.length, b.length));
            out = intersect.get(0);
            for (int i = 1; i < intersect.size() && out.length > 0; i++) {
                out = intersect(out, intersect.get(i));
            }
        }
        for (int[] s : subtract) {
            if (out.length == 0) {
                break;
            }
            out = subtract(out, s);
        }
        return out;
    }

    /** Union of the postings of every value of the label that {@code m} accepts (m must reject the empty value). */
    private static int[] union(SeriesIndex index, Matcher m) {
        byte[][] set = m.setValues();
        List<int[]> lists = new ArrayList<>();
        if (set != null) {
            for (byte[] v : set) {
                if (v.length > 0) {
                    int[] p = index.postings(m.nameBytes(), v);
                    if (p.length > 0) {
                        lists.add(p);
                    }
                }
            }
        } else {
            for (byte[] v : index.labelValues(m.nameBytes())) {
                if (m.matches(v)) {
                    int[] p = index.postings(m.nameBytes(), v);
                    if (p.length > 0) {
                        lists.add(p);
                    }
                }
            }
        }
        return merge(lists);
    }

    /** Union of ascending lists, ascending and without duplicates. */
    static int[] merge(List<int[]> lists) {
        if (lists.isEmpty()) {
            return EMPTY;
        }
        if (lists.size() == 1) {
            return lists.get(0);
        }
        int total = 0;
        for (int[] l : lists) {
            total += l.length;
        }
        int[] all = new int[total];
        int p = 0;
        for (int[] l : lists) {
            System.arraycopy(l, 0, all, p, l.length);
            p += l.length;
        }
        Arrays.sort(all);
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (n == 0 || all[n - 1] != all[i]) {
                all[n++] = all[i];
            }
        }
        return n == all.length ? all : Arrays.copyOf(all, n);
    }

    static int[] intersect(int[] a, int[] b) {
        IntArrayList out = new IntArrayList(Math.min(a.length, b.length), Integer.MIN_VALUE);
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                out.addInt(a[i]);
                i++;
                j++;
            }
        }
        return out.toIntArray();
    }

    static int[] subtract(int[] a, int[] b) {
        IntArrayList out = new IntArrayList(a.length, Integer.MIN_VALUE);
        int j = 0;
        for (int x : a) {
            while (j < b.length && b[j] < x) {
                j++;
            }
            if (j >= b.length || b[j] != x) {
                out.addInt(x);
            }
        }
        return out.toIntArray();
    }
}
