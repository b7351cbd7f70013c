package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

import io.jreceive.encoding.EncBuf;
import io.jreceive.head.BatchHistograms;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.labels.Labels;

/**
 * Histogram WAL records against Prometheus' encoder: {@code prometheus-histogram-records.json} holds batches that
 * Prometheus 3.7's {@code tsdb/record} encoded as its head logs them ({@code tools/golden/histogram_records.go});
 * the decoder must read them, and re-encoding what it read through {@link HistogramRecordEncoder} must give the
 * same records, the split into exponential and custom-bucket records included.
 */
class HistogramRecordTest {
    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> batches() throws IOException {
        try (InputStream in = HistogramRecordTest.class.getResourceAsStream(
                "/wal/prometheus-histogram-records.json")) {
            List<Arguments> out = new ArrayList<>();
            for (JsonNode b : new ObjectMapper().readTree(in).get("batches")) {
                out.add(Arguments.of(b.get("name").asText() + (b.get("float").asBoolean() ? " (float)" : ""), b));
            }
            return out.stream();
        }
    }

    private record Entry(long ref, long t, Histogram h, FloatHistogram fh) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void decodesAndReEncodesPrometheusRecords(String name, JsonNode b) {
        List<Entry> read = new ArrayList<>();
        WalVisitor v = new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
            }

            @Override
            public void onHistogram(long ref, long t, Histogram h) {
                read.add(new Entry(ref, t, h, null));
            }

            @Override
            public void onFloatHistogram(long ref, long t, FloatHistogram h) {
                read.add(new Entry(ref, t, null, h));
            }
        };
        List<String> records = new ArrayList<>();
        b.get("records").forEach(r -> records.add(r.asText()));
        for (String r : records) {
            byte[] rec = HEX.parseHex(r);
            WalRecordDecoder.decode(rec, rec.length, v);
        }
        assertEquals(b.get("entries").size(), read.size());

        // Prometheus logs a batch in input order split by kind; put the decoded entries back in input order.
        List<Entry> inOrder = new ArrayList<>();
        for (JsonNode e : b.get("entries")) {
            long ref = e.get("ref").asLong();
            long t = e.get("t").asLong();
            Entry found = read.stream().filter(x -> x.ref == ref && x.t == t).findFirst().orElseThrow();
            inOrder.add(found);
        }
        EncBuf plain = new EncBuf();
        EncBuf custom = new EncBuf();
        HistogramRecordEncoder enc = new HistogramRecordEncoder().wrap(plain, custom);
        for (Entry e : inOrder) {
            if (e.h != null) {
                enc.add(e.ref, e.t, e.h);
            } else {
                enc.add(e.ref, e.t, e.fh);
            }
        }
        assertEquals(records, written(enc, plain, custom));

        // The head's path: the same entries held flat in a batch and encoded in place.
        BatchHistograms batch = new BatchHistograms();
        for (int i = 0; i < inOrder.size(); i++) {
            Entry e = inOrder.get(i);
            if (e.h != null) {
                batch.add(i, e.t, e.h);
            } else {
                batch.add(i, e.t, e.fh);
            }
        }
        enc.wrap(plain, custom);
        FlatHistogram flat = new FlatHistogram();
        for (int i = 0; i < inOrder.size(); i++) {
            enc.add(inOrder.get(i).ref, batch.timestamp(i), batch.view(i, flat));
        }
        assertEquals(records, written(enc, plain, custom));
    }

    private static List<String> written(HistogramRecordEncoder enc, EncBuf plain, EncBuf custom) {
        List<String> out = new ArrayList<>();
        if (enc.plainCount() > 0) {
            out.add(HEX.formatHex(plain.toByteArray()));
        }
        if (enc.customCount() > 0) {
            out.add(HEX.formatHex(custom.toByteArray()));
        }
        return out;
    }
}
