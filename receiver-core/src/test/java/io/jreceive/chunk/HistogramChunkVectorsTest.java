package io.jreceive.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

/**
 * Byte-for-byte agreement with Prometheus' histogram chunk encoders: {@code prometheus-histogram-chunks.json} holds
 * samples appended by Prometheus 3.7's own {@code tsdb/chunkenc} appenders (most inputs are those of its
 * {@code histogram_test.go}; {@code tools/golden/histogram_chunks.go} regenerates the file) and the bytes of every
 * chunk they produced, including the chunks they cut and re-encoded.
 */
class HistogramChunkVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> scenarios() throws IOException {
        try (InputStream in = HistogramChunkVectorsTest.class.getResourceAsStream(
                "/chunk/prometheus-histogram-chunks.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            for (JsonNode s : root.get("scenarios")) {
                out.add(Arguments.of(s.get("name").asText() + (s.get("float").asBoolean() ? " (float)" : ""), s));
            }
            return out.stream();
        }
    }

    /** Appends the scenario's samples as Prometheus' head does and compares every chunk with Prometheus' bytes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void appendsTheBytesPrometheusWrites(String name, JsonNode s) {
        List<String> expected = new ArrayList<>();
        s.get("chunks").forEach(c -> expected.add(c.asText()));
        List<String> actual = s.get("float").asBoolean() ? appendFloat(s.get("steps")) : appendInt(s.get("steps"));
        assertEquals(expected, actual);
    }

    /** Decodes Prometheus' chunks and appends the decoded samples again: the same bytes come out. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void reEncodesPrometheusChunksIdentically(String name, JsonNode s) {
        boolean isFloat = s.get("float").asBoolean();
        for (JsonNode c : s.get("chunks")) {
            byte[] chunk = HEX.parseHex(c.asText());
            byte[] again;
            int samples = 0;
            if (isFloat) {
                FloatHistogramIterator it = new FloatHistogramIterator(chunk);
                FloatHistogramAppender app = new FloatHistogramAppender();
                while (it.next()) {
                    HistogramAppend<FloatHistogramAppender> r = app.append(null, it.timestamp(), it.at());
                    assertTrue(!r.newChunk() && r.appender() == app, "a decoded chunk appends without a cut");
                    samples++;
                }
                again = app.bytes();
            } else {
                HistogramIterator it = new HistogramIterator(chunk);
                HistogramAppender app = new HistogramAppender();
                while (it.next()) {
                    HistogramAppend<HistogramAppender> r = app.append(null, it.timestamp(), it.at());
                    assertTrue(!r.newChunk() && r.appender() == app, "a decoded chunk appends without a cut");
                    samples++;
                }
                again = app.bytes();
            }
            assertEquals(HistogramChunk.numSamples(chunk), samples);
            // The counter-reset header records why the chunk was cut, which its samples do not carry.
            again[HistogramChunk.FLAGS_OFFSET] |= (byte) HistogramChunk.counterResetHeader(chunk);
            assertEquals(c.asText(), HEX.formatHex(again));
        }
    }

    private static List<String> appendInt(JsonNode steps) {
        List<HistogramAppender> chunks = new ArrayList<>();
        HistogramAppender app = null;
        boolean first = true;
        for (JsonNode step : steps) {
            HistogramAppender prev = null;
            if (first || step.get("prev").asBoolean()) {
                prev = app;
                app = new HistogramAppender();
                chunks.add(app);
                first = false;
            }
            HistogramAppend<HistogramAppender> r = app.append(prev, step.get("t").asLong(), histogram(step.get("h")));
            if (r.newChunk()) {
                chunks.add(r.appender());
            } else {
                chunks.set(chunks.size() - 1, r.appender());
            }
            app = r.appender();
        }
        return chunks.stream().map(a -> HEX.formatHex(a.bytes())).toList();
    }

    private static List<String> appendFloat(JsonNode steps) {
        List<FloatHistogramAppender> chunks = new ArrayList<>();
        FloatHistogramAppender app = null;
        boolean first = true;
        for (JsonNode step : steps) {
            FloatHistogramAppender prev = null;
            if (first || step.get("prev").asBoolean()) {
                prev = app;
                app = new FloatHistogramAppender();
                chunks.add(app);
                first = false;
            }
            HistogramAppend<FloatHistogramAppender> r =
                    app.append(prev, step.get("t").asLong(), floatHistogram(step.get("h")));
            if (r.newChunk()) {
                chunks.add(r.appender());
            } else {
                chunks.set(chunks.size() - 1, r.appender());
            }
            app = r.appender();
        }
        return chunks.stream().map(a -> HEX.formatHex(a.bytes())).toList();
    }

    private static Histogram histogram(JsonNode h) {
        return new Histogram(CounterResetHint.of(h.get("hint").asInt()), h.get("schema").asInt(),
                f64(h.get("zeroThresholdBits")), Long.parseUnsignedLong(h.get("zeroCount").asText()),
                Long.parseUnsignedLong(h.get("count").asText()), f64(h.get("sumBits")), spans(h.get("positiveSpans")),
                longs(h.get("positiveBuckets")), spans(h.get("negativeSpans")), longs(h.get("negativeBuckets")),
                doubles(h.get("customValues")));
    }

    private static FloatHistogram floatHistogram(JsonNode h) {
        return new FloatHistogram(CounterResetHint.of(h.get("hint").asInt()), h.get("schema").asInt(),
                f64(h.get("zeroThresholdBits")), f64(h.get("zeroCount")), f64(h.get("count")), f64(h.get("sumBits")),
                spans(h.get("positiveSpans")), doubles(h.get("positiveBuckets")), spans(h.get("negativeSpans")),
                doubles(h.get("negativeBuckets")), doubles(h.get("customValues")));
    }

    private static double f64(JsonNode bits) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(bits.asText()));
    }

    private static Span[] spans(JsonNode a) {
        Span[] out = new Span[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Span(a.get(i).get(0).asInt(), a.get(i).get(1).asInt());
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Long.parseLong(a.get(i).asText());
        }
        return out;
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f64(a.get(i));
        }
        return out;
    }
}
