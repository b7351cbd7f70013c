package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
