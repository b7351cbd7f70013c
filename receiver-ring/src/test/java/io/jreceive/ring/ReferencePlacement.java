package io.jreceive.ring;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second, independent implementation of Thanos' placement for property tests: XXH64 written out from its
 * specification (not the library), arbitrary-precision arithmetic for hashmod, a sorted map for the ketama ring and a
 * straightforward re-reading of {@code calculateSectionReplicas}. Slow and allocation-heavy on purpose: clarity over
 * speed.
 */
final class ReferencePlacement {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private ReferencePlacement() {
    }

    static long xxh64(byte[] in) {
        ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        int len = in.length;
        int p = 0;
        long h;
        if (len >= 32) {
            long v1 = P1 + P2;
            long v2 = P2;
            long v3 = 0;
            long v4 = -P1;
            while (p + 32 <= len) {
                v1 = round(v1, b.getLong(p));
                v2 = round(v2, b.getLong(p + 8));
                v3 = round(v3, b.getLong(p + 16));
                v4 = round(v4, b.getLong(p + 24));
                p += 32;
            }
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = P5;
        }
        h += len;
        while (p + 8 <= len) {
            h ^= round(0, b.getLong(p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            p += 8;
        }
        if (p + 4 <= len) {
            h ^= (b.getInt(p) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        while (p < len) {
            h ^= (in[p] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            p++;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long lane) {
        return Long.rotateLeft(acc + lane * P2, 31) * P1;
    }

    private static long merge(long h, long v) {
        h ^= round(0, v);
        return h * P1 + P4;
    }

    /** {@code tenant 0xFF (name 0xFF value 0xFF)*}, hashed. */
    static long seriesHash(String tenant, List<String[]> labels) {
        StringBuilder hex = new StringBuilder();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(tenant.getBytes(StandardCharsets.UTF_8));
        out.write(0xFF);
        for (String[] l : labels) {
            out.writeBytes(l[0].getBytes(StandardCharsets.UTF_8));
            out.write(0xFF);
            out.writeBytes(l[1].getBytes(StandardCharsets.UTF_8));
            out.write(0xFF);
        }
        hex.setLength(0);
        return xxh64(out.toByteArray());
    }

    static String hashmod(List<Endpoint> endpoints, long hash, int n) {
        List<String> addrs = new ArrayList<>();
        for (Endpoint e : endpoints) {
            addrs.add(e.address());
        }
        addrs.sort((a, b) -> new String(a.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                .compareTo(new String(b.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)));
        BigInteger h = new BigInteger(Long.toUnsignedString(hash)).add(BigInteger.valueOf(n)).mod(TWO_64);
        return addrs.get(h.mod(BigInteger.valueOf(addrs.size())).intValue());
    }

    /** The ketama ring as an ordered map from unsigned hash to owning endpoint index, plus per-point replicas. */
    static String ketama(List<Endpoint> endpoints, int sections, int rf, long hash, int n) {
        TreeMap<BigInteger, Integer> ring = new TreeMap<>();
        for (int e = 0; e < endpoints.size(); e++) {
            for (int i = 1; i <= sections; i++) {
                long h = xxh64((endpoints.get(e).address() + ":" + i).getBytes(StandardCharsets.UTF_8));
                ring.put(new BigInteger(Long.toUnsignedString(h)), e);
            }
        }
        Map.Entry<BigInteger, Integer> at = ring.ceilingEntry(new BigInteger(Long.toUnsignedString(hash)));
        BigInteger start = at == null ? ring.firstKey() : at.getKey();
        List<Integer> walk = new ArrayList<>(ring.tailMap(start, true).values());
        walk.addAll(ring.headMap(start, false).values());
        Map<String, Integer> spread = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            spread.put(e.az(), 0);
        }
        List<Integer> chosen = new ArrayList<>();
        for (int k = 0; chosen.size() < rf; k = (k + 1) % walk.size()) {
            int cand = walk.get(k);
            if (chosen.contains(cand)) {
                continue;
            }
            String az = endpoints.get(cand).az();
            int least = spread.values().stream().min(Integer::compare).orElse(0);
            if (spread.size() > 1 && spread.get(az) > 0 && spread.get(az) > least) {
                continue;
            }
            spread.merge(az, 1, Integer::sum);
            chosen.add(cand);
        }
        return endpoints.get(chosen.get(n)).address();
    }
}
