package io.jreceive.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

class XorChunkTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void workedExampleFourSamples() {
        XorAppender a = new XorAppender();
        a.append(1000, 1.0);
        a.append(2000, 1.0);
        a.append(3000, 2.0);
        a.append(4005, 2.5);
        assertArrayEquals(hex("00 04 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF E0 01 76 83"), a.bytes());
    }

    @Test
    void workedExampleTwoSamples() {
        XorAppender a = new XorAppender();
        a.append(7200000, 1.0);
        a.append(7215000, 2.0);
        assertArrayEquals(hex("00 02 80 F4 EE 06 3F F0 00 00 00 00 00 00 98 75 C2 5F FF"), a.bytes());
    }

    @Test
    void roundTripsRandomSeriesBitExact() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            int n = 1 + r.nextInt(300);
            long[] ts = new long[n];
            long[] vs = new long[n];
            long t = r.nextLong() >> 20;
            XorAppender a = new XorAppender();
            for (int i = 0; i < n; i++) {
                t += switch (r.nextInt(4)) {
                    case 0 -> 15000;
                    case 1 -> r.nextInt(100000);
                    case 2 -> r.nextInt(1 << 22);
                    default -> 1L + (r.nextLong() >>> 30);
                };
                ts[i] = t;
                vs[i] = switch (r.nextInt(5)) {
                    case 0 -> Double.doubleToRawLongBits(r.nextInt(10));
                    case 1 -> 0x7ff0000000000002L; // stale marker
                    case 2 -> r.nextLong();
                    case 3 -> i > 0 ? vs[i - 1] : 0;
                    default -> Double.doubleToRawLongBits(r.nextGaussian());
                };
                a.appendBits(ts[i], vs[i]);
            }
            XorIterator it = new XorIterator(a.bytes());
            assertEquals(n, it.numSamples());
            for (int i = 0; i < n; i++) {
                assertTrue(it.next());
                assertEquals(ts[i], it.timestamp(), "ts " + i);
                assertEquals(vs[i], it.valueBits(), "value " + i);
            }
            assertFalse(it.next());
        }
    }
}
