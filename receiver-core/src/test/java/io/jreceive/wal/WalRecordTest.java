package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.labels.Labels;

class WalRecordTest {
    private static final long STALE_NAN = 0x7ff0000000000002L;

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void seriesRecordBytes() {
        EncBuf b = new EncBuf();
        SeriesRecordEncoder enc = new SeriesRecordEncoder().wrap(b);
        assertEquals(0, b.len(), "no series, no record");
        enc.add(1, Labels.of("job", "a", "__name__", "up"));
        enc.add(0x0102030405060708L, Labels.EMPTY);
        assertEquals(2, enc.count());
        assertArrayEquals(hex("01 0000000000000001 02 08 5f5f6e616d655f5f 02 7570 03 6a6f62 01 61"
                + " 0102030405060708 00"), b.toByteArray());
    }

    @Test
    void samplesRecordBytesWithNegativeDeltasAndStaleNaN() {
        EncBuf b = new EncBuf();
        SamplesRecordEncoder enc = new SamplesRecordEncoder().wrap(b);
        enc.add(5, 1000, Double.doubleToRawLongBits(1.0));
        enc.add(3, 990, STALE_NAN);
        enc.add(70, 1064, Double.doubleToRawLongBits(-2.5));
        // ref deltas 0, -2 (zigzag 3), 65 (zigzag 130 = 82 01); t deltas 0, -10 (zigzag 19), 64 (zigzag 128 = 80 01)
        assertArrayEquals(hex("02 0000000000000005 00000000000003e8"
                + " 00 00 3ff0000000000000"
                + " 03 13 7ff0000000000002"
                + " 8201 8001 c004000000000000"), b.toByteArray());
    }

    @Test
    void roundTripsThroughDecoder() {
        EncBuf series = new EncBuf();
        SeriesRecordEncoder se = new SeriesRecordEncoder().wrap(series);
        se.add(7, Labels.of("__name__", "m", "k", "\u00e9\ud83d\ude00"));
        EncBuf samples = new EncBuf();
        SamplesRecordEncoder sa = new SamplesRecordEncoder().wrap(samples);
        long[][] in = {{7, Long.MIN_VALUE + 1, STALE_NAN}, {7, Long.MAX_VALUE, 0x7ff8000000000001L}, {-1, 0, 0}};
        for (long[] s : in) {
            sa.add(s[0], s[1], s[2]);
        }
        List<String> got = new ArrayList<>();
        WalVisitor v = new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                got.add(ref + " " + labels);
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                got.add(ref + "@" + t + "=" + Long.toHexString(valueBits));
            }
        };
        assertEquals(1, WalRecordDecoder.decode(series.array(), series.len(), v));
        assertEquals(3, WalRecordDecoder.decode(samples.array(), samples.len(), v));
        assertEquals(List.of("7 {__name__=\"m\", k=\"\u00e9\ud83d\ude00\"}",
                "7@" + (Long.MIN_VALUE + 1) + "=7ff0000000000002",
                "7@" + Long.MAX_VALUE + "=7ff8000000000001",
                "-1@0=0"), got);
    }

    @Test
    void unsortedLabelsAreSortedOnDecode() {
        byte[] rec = hex("01 0000000000000001 02 03 6a6f62 01 61 08 5f5f6e616d655f5f 02 7570");
        List<Labels> got = new ArrayList<>();
        WalRecordDecoder.decode(rec, rec.length, visitor(got));
        assertEquals(List.of(Labels.of("__name__", "up", "job", "a")), got);
    }

    @Test
    void truncatedRecordsAreFormatErrors() {
        EncBuf b = new EncBuf();
        new SamplesRecordEncoder().wrap(b).add(1, 2, 3);
        assertThrows(FormatException.class, () -> WalRecordDecoder.decode(b.array(), b.len() - 1, visitor(null)));
        byte[] series = hex("01 0000000000000001 05 01 61");
        assertThrows(FormatException.class, () -> WalRecordDecoder.decode(series, series.length, visitor(null)));
        assertEquals(-1, WalRecordDecoder.decode(hex("03 00"), 2, visitor(null)), "tombstones are skipped");
    }

    @Test
    void samplesDecodedWholeAreThoseDecodedOneByOne() {
        // Deltas of every varint length (1 to 10 bytes), both signs, around a random header.
        java.util.Random rnd = new java.util.Random(7);
        EncBuf b = new EncBuf();
        SamplesRecordEncoder enc = new SamplesRecordEncoder().wrap(b);
        long ref0 = rnd.nextLong();
        long t0 = rnd.nextLong();
        enc.add(ref0, t0, rnd.nextLong());
        for (int i = 0; i < 2000; i++) {
            int bits = rnd.nextInt(64);
            long dr = rnd.nextLong() >> bits;
            long dt = rnd.nextLong() >> rnd.nextInt(64);
            enc.add(ref0 + dr, t0 + dt, rnd.nextLong());
        }
        List<String> one = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        int n = WalRecordDecoder.decode(b.array(), 0, b.len(), samples(one), null);
        WalSamples batch = new WalSamples();
        assertEquals(n, WalRecordDecoder.decode(b.array(), 0, b.len(), samples(whole), batch));
        assertEquals(2001, n);
        assertEquals(one, whole);
        // A record cut short inside an entry is a format error for both, and a batch then delivers nothing; cut
        // between entries it is a shorter record, decoded alike.
        int errors = 0;
        for (int cut = 1; cut < b.len(); cut++) {
            List<String> each = new ArrayList<>();
            List<String> all = new ArrayList<>();
            boolean eachFailed = false;
            try {
                WalRecordDecoder.decode(b.array(), 0, cut, samples(each), null);
            } catch (FormatException e) {
                eachFailed = true;
            }
            boolean allFailed = false;
            try {
                WalRecordDecoder.decode(b.array(), 0, cut, samples(all), batch);
            } catch (FormatException e) {
                allFailed = true;
            }
            assertEquals(eachFailed, allFailed, "cut at " + cut);
            assertEquals(eachFailed ? List.of() : each, all, "cut at " + cut);
            errors += allFailed ? 1 : 0;
        }
        assertTrue(errors > b.len() / 2, "most cuts are inside an entry: " + errors);
    }

    @Test
    void overlongVarintsAreFormatErrorsInBothDecoders() {
        String header = "02 0000000000000001 0000000000000002 ";
        String value = " 0000000000000003";
        for (String bad : new String[] {
            "ffffffffffffffffff02 00",     // 10 bytes whose last is above 1: overflows 64 bits
            "ffffffffffffffffffff01 00",   // 11 bytes
            "00 ffffffffffffffffff02",     // the timestamp's
        }) {
            byte[] rec = hex(header + bad + value);
            assertThrows(FormatException.class, () -> WalRecordDecoder.decode(rec, 0, rec.length,
                    samples(new ArrayList<>()), null), bad);
            assertThrows(FormatException.class, () -> WalRecordDecoder.decode(rec, 0, rec.length,
                    samples(new ArrayList<>()), new WalSamples()), bad);
        }
        byte[] max = hex(header + "ffffffffffffffffff01 00" + value);
        List<String> one = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        WalRecordDecoder.decode(max, 0, max.length, samples(one), null);
        WalRecordDecoder.decode(max, 0, max.length, samples(whole), new WalSamples());
        assertEquals(one, whole, "the largest 10-byte varint decodes alike");
        assertEquals(1, whole.size());
    }

    private static WalVisitor samples(List<String> got) {
        return new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                got.add(ref + "@" + t + "=" + valueBits);
            }
        };
    }

    private static WalVisitor visitor(List<Labels> series) {
        return new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                series.add(labels);
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
            }
        };
    }
}
