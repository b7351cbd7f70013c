package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.encoding.EncBuf;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.labels.Labels;
import io.jreceive.testing.Peers;
import io.jreceive.testing.Promtool;

/**
 * A WAL of integer and float histogram records (exponential and custom-bucket, so types 7 to 10) written with
 * {@link WalWriter} replays in Prometheus 3.7's {@code promtool tsdb dump} into exactly the histograms written
 * (those its dump prints, see below): each line's count and sum, in Go's {@code %g}, and its timestamp.
 */
class HistogramWalPromtoolIT {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path data;

    @Test
    void promtoolReplaysHistogramRecords() throws Exception {
        Path promtool = Peers.require("promtool");
        Labels exp = Labels.of("__name__", "exp");
        Labels nhcb = Labels.of("__name__", "nhcb");
        Labels fexp = Labels.of("__name__", "fexp");
        List<String> expected = new ArrayList<>();
        try (WalWriter w = WalWriter.open(data.resolve("wal"), WalConfig.defaults())) {
            EncBuf series = new EncBuf();
            SeriesRecordEncoder se = new SeriesRecordEncoder().wrap(series);
            se.add(1, exp);
            se.add(2, nhcb);
            se.add(3, fexp);
            EncBuf[] recs = {new EncBuf(), new EncBuf(), new EncBuf(), new EncBuf()};
            HistogramRecordEncoder ints = new HistogramRecordEncoder().wrap(recs[0], recs[1]);
            HistogramRecordEncoder floats = new HistogramRecordEncoder().wrap(recs[2], recs[3]);
            for (int i = 1; i <= 20; i++) {
                long t = T0 + i * 15_000L;
                Histogram e = new Histogram(CounterResetHint.UNKNOWN, 1, Math.scalb(0.5, -127), i, 4L * i, 0.5 * i,
                        new Span[] {new Span(-1, 2)}, new long[] {i, 0}, new Span[] {new Span(0, 1)},
                        new long[] {i}, new double[0]);
                Histogram c = new Histogram(CounterResetHint.UNKNOWN, Schemas.CUSTOM_BUCKETS, 0, 0, 3L * i, 2.0 * i,
                        new Span[] {new Span(0, 3)}, new long[] {i, 0, 0}, new Span[0], new long[0],
                        new double[] {0.25, 1, 10});
                ints.add(1, t, e);
                ints.add(2, t, c);
                floats.add(3, t, e.toFloat());
                // promtool's dump reads a series with three loops (floats, float histograms, integer histograms),
                // each ending on, and so losing, a sample of another kind: the first two of an integer histogram
                // series and the first of a float histogram series never print (Prometheus 3.7's
                // cmd/promtool/tsdb.go formatSeriesSet).
                if (i > 2) {
                    expected.add("{__name__=\"exp\"} {count:" + 4 * i + ", sum:" + goFloat(0.5 * i) + " " + t);
                    expected.add("{__name__=\"nhcb\"} {count:" + 3 * i + ", sum:" + goFloat(2.0 * i) + " " + t);
                }
                if (i > 1) {
                    expected.add("{__name__=\"fexp\"} {count:" + 4 * i + ", sum:" + goFloat(0.5 * i) + " " + t);
                }
            }
            w.append(series, recs[0], recs[1], recs[2], recs[3]).join();
        }
        Promtool.Result r = new PromtoolAt(promtool).dump(data);
        assertEquals(0, r.exitCode(), r.toString());
        List<String> got = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // "{labels} {count:N, sum:S, buckets...} T": keep labels, the count and sum, and the timestamp.
            int open = line.indexOf("} {count:") + 2;
            int sumEnd = line.indexOf(',', line.indexOf("sum:", open));
            int close = line.lastIndexOf(' ');
            got.add(line.substring(0, open) + line.substring(open, sumEnd < 0 || sumEnd > close
                    ? line.lastIndexOf('}', close) : sumEnd) + " " + line.substring(close + 1));
        }
        assertEquals(expected.stream().sorted().toList(), got.stream().sorted().toList());
    }

    /** Go's {@code %g} for the small values used here. */
    private static String goFloat(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@link Promtool} runs the installed promtool; this one runs the Prometheus 3.7 build from the peer cache. */
    private static final class PromtoolAt {
        private final Path binary;

        PromtoolAt(Path binary) {
            this.binary = binary;
        }

        Promtool.Result dump(Path dir) throws Exception {
            Files.createDirectories(dir.resolve("wal"));
            Path out = Files.createTempFile("promtool", ".out");
            Path err = Files.createTempFile("promtool", ".err");
            Process p = new ProcessBuilder(binary.toString(), "tsdb", "dump", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("promtool still running");
            }
            return new Promtool.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        }
    }
}
