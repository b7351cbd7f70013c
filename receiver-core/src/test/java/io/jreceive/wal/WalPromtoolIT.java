package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;
import io.jreceive.testing.Promtool;

/**
 * Writes a WAL with {@link WalWriter} into {@code <tmp>/wal/} and checks that the real {@code promtool tsdb dump}
 * replays it into exactly the samples written, printed as {@code {labels} value timestamp}.
 */
class WalPromtoolIT {
    private static final long STALE_NAN = 0x7ff0000000000002L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path data;

    private static final List<Labels> SERIES = List.of(
            Labels.of("__name__", "up", "job", "a", "instance", "h1:9100"),
            Labels.of("__name__", "up", "job", "b", "instance", "h2:9100"),
            Labels.of("__name__", "http_requests_total", "code", "200", "path", "/x"),
            Labels.of("__name__", "weird", "v", "quote\"back\\slash"),
            Labels.of("__name__", "big", "le", "+Inf"));

    private static final double[] VALUES = {0, 1, -2.5, 42, 0.125, 3.75, 1e6, 2.5e7, 123456.5, -0.5};

    /** One append per scrape round: a series record on the first round, then one sample per series. */
    private static List<String> writeRounds(WalWriter w, int fromRound, int rounds, long[] refs) {
        List<String> expected = new ArrayList<>();
        EncBuf seriesBuf = new EncBuf();
        EncBuf samplesBuf = new EncBuf();
        SeriesRecordEncoder se = new SeriesRecordEncoder();
        SamplesRecordEncoder sa = new SamplesRecordEncoder();
        for (int round = fromRound; round < fromRound + rounds; round++) {
            se.wrap(seriesBuf);
            sa.wrap(samplesBuf);
            for (int s = 0; s < SERIES.size(); s++) {
                if (round == 0) {
                    se.add(refs[s], SERIES.get(s));
                }
                long t = T0 + round * 15_000L + s;
                // The last round of series 1 is a staleness marker.
                boolean stale = s == 1 && round == fromRound + rounds - 1;
                double v = VALUES[(round + s) % VALUES.length];
                long bits = stale ? STALE_NAN : Double.doubleToRawLongBits(v);
                sa.add(refs[s], t, bits);
                expected.add(line(SERIES.get(s), stale ? "NaN" : goFloat(v), t));
            }
            w.append(seriesBuf, samplesBuf).join();
        }
        return expected;
    }

    private static long[] refs() {
        long[] refs = new long[SERIES.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = 1000L + i * 7; // head-style refs, not consecutive
        }
        return refs;
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void promtoolDumpsWhatWasWritten(boolean compress) throws Exception {
        Promtool promtool = Promtool.require();
        Path wal = data.resolve("wal");
        List<String> expected;
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults().withCompress(compress))) {
            expected = writeRounds(w, 0, 200, refs());
        }
        int firstType = Files.readAllBytes(WalSegments.path(wal, 0))[0];
        assertEquals(compress ? WalFragment.SNAPPY_FLAG : 0, firstType & WalFragment.SNAPPY_FLAG,
                "the series record is stored compressed exactly when compression is on");
        assertDump(promtool, expected);
    }

    @Test
    void promtoolReadsACheckpointAndSegmentsAfterIt() throws Exception {
        Promtool promtool = Promtool.require();
        Path wal = data.resolve("wal");
        long[] refs = refs();
        List<String> expected = new ArrayList<>();
        long minTime = T0 + 30 * 15_000L;
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            for (String l : writeRounds(w, 0, 40, refs)) {
                long t = Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
                boolean dropped = l.contains("job=\"b\"");
                if (t >= minTime && !dropped) {
                    expected.add(l);
                }
            }
            w.cut().join();
            expected.addAll(writeRounds(w, 40, 20, refs).stream().filter(l -> !l.contains("job=\"b\"")).toList());
            Checkpoint.create(wal, 0, ref -> ref != refs[1], minTime, true);
            expected.addAll(writeRounds(w, 60, 20, refs).stream().filter(l -> !l.contains("job=\"b\"")).toList());
        }
        // Series job="b" was dropped by the checkpoint, so promtool must not know its later samples either.
        ReplayStats st = WalReader.read(wal, new RecordingVisitor());
        assertNull(st.corruption());
        assertEquals(0, st.checkpoint());
        assertDump(promtool, expected);
    }

    private void assertDump(Promtool promtool, List<String> expected) throws Exception {
        Promtool.Result r = promtool.dump(data);
        assertEquals(0, r.exitCode(), "promtool tsdb dump failed: " + r.stderr());
        List<String> got = new ArrayList<>(r.stdout().lines().filter(l -> !l.isBlank()).toList());
        List<String> want = new ArrayList<>(expected);
        got.sort(null);
        want.sort(null);
        assertEquals(want.size(), got.size(), "line count; stderr: " + r.stderr());
        assertEquals(want, got);
    }

    private static String line(Labels l, String value, long t) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(l.nameString(i)).append("=\"")
                    .append(l.valueString(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append("} ").append(value).append(' ').append(t).toString();
    }

    /**
     * Go's {@code %g} (shortest representation) for the finite values used here: plain decimal for exponents -4..5,
     * otherwise {@code d.ddde+XX}.
     */
    private static String goFloat(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;
        if (exp >= -4 && exp < 6) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
}
