package io.jreceive.head;

import java.util.HashMap;
import java.util.Map;

/**
 * A tenant's label strings, each stored once as UTF-8 bytes: every series' {@link io.jreceive.labels.Labels} points
 * at these shared arrays, so a value used by a million series costs one array. Only series creation touches it.
 */
final class SymbolTable {
    private final Map<ByteKey, byte[]> symbols = new HashMap<>();

    /** The canonical array with the content of {@code b[off, off+len)}. */
    synchronized byte[] intern(byte[] b, int off, int len) {
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        return symbols.computeIfAbsent(ByteKey.of(copy), k -> k.bytes());
    }

    synchronized byte[] intern(byte[] b) {
        return symbols.computeIfAbsent(ByteKey.of(b), k -> k.bytes());
    }

    synchronized int size() {
        return symbols.size();
    }

    /** Drops symbols no longer referenced by any series (after head truncation). */
    synchronized void retain(java.util.Set<ByteKey> live) {
        symbols.keySet().retainAll(live);
    }
}
