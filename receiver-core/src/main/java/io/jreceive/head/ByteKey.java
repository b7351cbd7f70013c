package io.jreceive.head;

import java.util.Arrays;

/** A byte array as a hash-map key by content; ordered by unsigned bytes (UTF-8 order for label strings). */
record ByteKey(byte[] bytes, int hash) implements Comparable<ByteKey> {
    static ByteKey of(byte[] b) {
        return new ByteKey(b, Arrays.hashCode(b));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ByteKey o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
