package io.jreceive.labels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import net.openhft.hashing.LongHashFunction;

/**
 * An immutable label set: (name, value) pairs held as UTF-8 byte arrays, sorted by name in unsigned byte order with
 * unique names. Ordering between sets is Prometheus' {@code labels.Compare} over bytes, never
 * {@link String#compareTo} (which disagrees with UTF-8 order above U+FFFF). The head interns the byte arrays through
 * its symbol table, so sets of one tenant share their strings.
 */
public final class Labels implements Comparable<Labels> {
    public static final Labels EMPTY = new Labels(new byte[0][]);

    private static final LongHashFunction XX = LongHashFunction.xx();
    private static final byte SEP = (byte) 0xFF;

    /** name0, value0, name1, value1, ... */
    private final byte[][] nv;

    private Labels(byte[][] nv) {
        this.nv = nv;
    }

    /**
     * Wraps already sorted, validated pairs without copying. The caller gives up the array.
     *
     * @param nv names at even indices, values at odd, sorted by name bytes, names unique
     */
    public static Labels wrapSorted(byte[][] nv) {
        return new Labels(nv);
    }

    /** Builds a set from alternating name/value strings in any order; duplicate names keep the last value. */
    public static Labels of(String... nameValues) {
        if (nameValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of name/value strings");
        }
        Builder b = new Builder();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.set(nameValues[i], nameValues[i + 1]);
        }
        return b.build();
    }

    public static Labels fromMap(Map<String, String> m) {
        Builder b = new Builder();
        m.forEach(b::set);
        return b.build();
    }

    public int size() {
        return nv.length >> 1;
    }

    public boolean isEmpty() {
        return nv.length == 0;
    }

    public byte[] name(int i) {
        return nv[i << 1];
    }

    public byte[] value(int i) {
        return nv[(i << 1) + 1];
    }

    public String nameString(int i) {
        return new String(nv[i << 1], StandardCharsets.UTF_8);
    }

    public String valueString(int i) {
        return new String(nv[(i << 1) + 1], StandardCharsets.UTF_8);
    }

    /** The value of {@code name}, or null. */
    public byte[] get(byte[] name) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(nv[mid << 1], name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return nv[(mid << 1) + 1];
            }
        }
        return null;
    }

    /** The value of {@code name} as a string, or null. */
    public String get(String name) {
        byte[] v = get(name.getBytes(StandardCharsets.UTF_8));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** The raw pair array (names at even indices); do not modify. */
    public byte[][] pairs() {
        return nv;
    }

    /** xxhash64 over {@code name 0xFF value 0xFF ...}, the hash Thanos uses for sharding. */
    public long hash() {
        int total = 0;
        for (byte[] s : nv) {
            total += s.length + 1;
        }
        byte[] buf = new byte[total];
        int p = 0;
        for (byte[] s : nv) {
            System.arraycopy(s, 0, buf, p, s.length);
            p += s.length;
            buf[p++] = SEP;
        }
        return XX.hashBytes(buf);
    }

    /** Prometheus {@code labels.Compare}: pairwise by name then value, bytewise unsigned; a prefix sorts first. */
    @Override
    public int compareTo(Labels o) {
        return compare(nv, o.nv);
    }

    public static int compare(byte[][] a, byte[][] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int c = Arrays.compareUnsigned(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Labels)) {
            return false;
        }
        byte[][] other = ((Labels) o).nv;
        if (other.length != nv.length) {
            return false;
        }
        for (int i = 0; i < nv.length; i++) {
            if (!Arrays.equals(nv[i], other[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte[] s : nv) {
            h = 31 * h + Arrays.hashCode(s);
        }
        return h;
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < size(); i++) {
            m.put(nameString(i), valueString(i));
        }
        return m;
    }

    /** Prometheus text form: {@code {a="1", b="2"}}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (int i = 0; i < size(); i++) {
            j.add(nameString(i) + "=\"" + valueString(i).replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n") + "\"");
        }
        return j.toString();
    }

    /** Collects pairs in any order and builds a sorted set; a name set twice keeps the last value. */
    public static final class Builder {
        private final List<byte[]> names = new ArrayList<>();
        private final List<byte[]> values = new ArrayList<>();

        public Builder set(String name, String value) {
            return set(name.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder set(byte[] name, byte[] value) {
            for (int i = 0; i < names.size(); i++) {
                if (Arrays.equals(names.get(i), name)) {
                    values.set(i, value);
                    return this;
                }
            }
            names.add(name);
            values.add(value);
            return this;
        }

        /** Adds every pair of {@code other}, overriding same-named pairs already set. */
        public Builder setAll(Labels other) {
            for (int i = 0; i < other.size(); i++) {
                set(other.name(i), other.value(i));
            }
            return this;
        }

        public Builder remove(byte[] name) {
            for (int i = 0; i < names.size(); i++) {
                if (Arrays.equals(names.get(i), name)) {
                    names.remove(i);
                    values.remove(i);
                    return this;
                }
            }
            return this;
        }

        public Labels build() {
            Integer[] order = new Integer[names.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(names.get(x), names.get(y)));
            byte[][] nv = new byte[order.length * 2][];
            for (int i = 0; i < order.length; i++) {
                nv[2 * i] = names.get(order[i]);
                nv[2 * i + 1] = values.get(order[i]);
            }
            return new Labels(nv);
        }
    }
}
