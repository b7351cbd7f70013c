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

    /**
     * The encoder writes whole bytes and bit runs at once; its bytes must equal those of the plainest possible
     * encoder, one bit at a time, as Prometheus' {@code bstream} writes them (oracle below), for series that use
     * every timestamp and value encoding.
     */
    @Test
    void bytesEqualABitAtATimeEncoder() {
        Random r = new Random(7);
        for (int round = 0; round < 300; round++) {
            int n = 1 + r.nextInt(240);
            XorAppender a = new XorAppender(1 + r.nextInt(64));
            BitOracle o = new BitOracle();
            long t = r.nextLong() >> 22;
            long v = r.nextLong();
            for (int i = 0; i < n; i++) {
                t += switch (r.nextInt(5)) {
                    case 0 -> 15000;
                    case 1 -> 15000 + r.nextInt(16000) - 8000;
                    case 2 -> r.nextInt(1 << 19);
                    case 3 -> r.nextInt(1 << 25);
                    default -> 1L + (r.nextLong() >>> 24);
                };
                v = switch (r.nextInt(4)) {
                    case 0 -> v;
                    case 1 -> v ^ (1L << r.nextInt(64));
                    case 2 -> Double.doubleToRawLongBits(Double.longBitsToDouble(v) + 1);
                    default -> r.nextLong();
                };
                a.appendBits(t, v);
                o.append(t, v);
            }
            assertArrayEquals(o.bytes(), a.bytes(), "round " + round);
        }
    }

    /** Prometheus' xorAppender over a bit-at-a-time stream: the reference the encoder is compared with. */
    private static final class BitOracle {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private int cur;
        private int used;
        private int count;
        private long t;
        private long delta;
        private long v;
        private int leading = 0xFF;
        private int trailing;

        void bit(long b) {
            cur = (cur << 1) | (int) (b & 1);
            if (++used == 8) {
                out.write(cur);
                cur = 0;
                used = 0;
            }
        }

        void bits(long x, int nb) {
            for (int i = nb - 1; i >= 0; i--) {
                bit(x >>> i);
            }
        }

        void uvarint(long x) {
            while ((x & ~0x7FL) != 0) {
                bits((x & 0x7F) | 0x80, 8);
                x >>>= 7;
            }
            bits(x, 8);
        }

        void append(long ts, long val) {
            long d = ts - t;
            if (count == 0) {
                uvarint((ts << 1) ^ (ts >> 63));
                bits(val, 64);
            } else if (count == 1) {
                uvarint(d);
                value(val);
            } else {
                long dod = d - delta;
                if (dod == 0) {
                    bit(0);
                } else if (-8191 <= dod && dod <= 8192) {
                    bits(0b10, 2);
                    bits(dod, 14);
                } else if (-65535 <= dod && dod <= 65536) {
                    bits(0b110, 3);
                    bits(dod, 17);
                } else if (-524287 <= dod && dod <= 524288) {
                    bits(0b1110, 4);
                    bits(dod, 20);
                } else {
                    bits(0b1111, 4);
                    bits(dod, 64);
                }
                value(val);
            }
            delta = count == 0 ? 0 : d;
            t = ts;
            v = val;
            count++;
        }

        void value(long val) {
            long x = val ^ v;
            if (x == 0) {
                bit(0);
                return;
            }
            bit(1);
            int lz = Math.min(Long.numberOfLeadingZeros(x), 31);
            int tz = Long.numberOfTrailingZeros(x);
            if (leading != 0xFF && lz >= leading && tz >= trailing) {
                bit(0);
                bits(x >>> trailing, 64 - leading - trailing);
                return;
            }
            leading = lz;
            trailing = tz;
            bit(1);
            bits(lz, 5);
            bits(64 - lz - tz, 6);
            bits(x >>> tz, 64 - lz - tz);
        }

        byte[] bytes() {
            byte[] stream = out.toByteArray();
            int n = stream.length + (used > 0 ? 1 : 0);
            byte[] chunk = new byte[2 + n];
            chunk[0] = (byte) (count >>> 8);
            chunk[1] = (byte) count;
            System.arraycopy(stream, 0, chunk, 2, stream.length);
            if (used > 0) {
                chunk[2 + stream.length] = (byte) (cur << (8 - used));
            }
            return chunk;
        }
    }
}
