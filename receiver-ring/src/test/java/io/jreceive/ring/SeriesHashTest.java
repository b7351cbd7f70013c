package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.head.WriteBatch;

class SeriesHashTest {
    @Test
    void xxh64KnownValues() {
        // Published XXH64 values for seed 0 (xxHash's sanity tests), through the library and the reference.
        assertEquals(0xEF46DB3751D8E999L, ReferencePlacement.xxh64(new byte[0]));
        assertEquals(0x44BC2CF5AD770999L, ReferencePlacement.xxh64("abc".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0x44BC2CF5AD770999L, net.openhft.hashing.LongHashFunction.xx(0)
                .hashBytes("abc".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void inputBytesAreTenantAndLabelsWithFfSeparators() {
        byte[] expected = "tenant\u0000pod\u0000nginx\u0000".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0) {
                expected[i] = (byte) 0xFF;
            }
        }
        assertEquals(ReferencePlacement.xxh64(expected), SeriesHash.of("tenant", "pod", "nginx"));
    }

    @Test
    void batchPathHashesTheSameBytesInWireOrderLongSeriesToo() {
        StringBuilder longValue = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            longValue.append("value-").append(i);
        }
        String[][] labels = {{"zeta", "1"}, {"__name__", "up"}, {"long", longValue.toString()}, {"ü", "ß"}};
        byte[] buf = new byte[8192];
        int pos = 0;
        WriteBatch b = new WriteBatch();
        b.reset(buf);
        int s = b.beginSeries();
        for (String[] l : labels) {
            byte[] n = l[0].getBytes(StandardCharsets.UTF_8);
            byte[] v = l[1].getBytes(StandardCharsets.UTF_8);
            System.arraycopy(n, 0, buf, pos, n.length);
            System.arraycopy(v, 0, buf, pos + n.length, v.length);
            b.addLabel(s, pos, n.length, pos + n.length, v.length);
            pos += n.length + v.length;
        }
        long viaBatch = new SeriesHash().of("t-1".getBytes(StandardCharsets.UTF_8), b, s);
        assertEquals(ReferencePlacement.seriesHash("t-1", List.of(labels)), viaBatch);
        assertEquals(SeriesHash.of("t-1", "zeta", "1", "__name__", "up", "long", longValue.toString(), "ü", "ß"),
                viaBatch);
    }
}
