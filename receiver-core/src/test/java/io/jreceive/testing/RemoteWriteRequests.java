package io.jreceive.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.xerial.snappy.Snappy;

import io.jreceive.labels.Labels;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.Sample;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.proto.write.v2.Request;

/**
 * Builds remote-write request bodies for tests with the generated protobuf classes (an independent encoder from
 * the hand-written decoders under test): 1.0 {@code WriteRequest} and 2.0 {@code Request}, snappy block-compressed.
 */
public final class RemoteWriteRequests {
    private final List<Labels> labels = new ArrayList<>();
    private final List<long[]> ts = new ArrayList<>();
    private final List<double[]> vs = new ArrayList<>();
    /** Per series: its exemplars (labels, value, timestamp). */
    private final List<List<Ex>> exemplars = new ArrayList<>();

    private record Ex(Labels labels, double value, long t) {
    }

    /** Adds a series with its samples (timestamps and values pairwise). */
    public RemoteWriteRequests series(Labels l, long[] timestamps, double[] values) {
        labels.add(l);
        ts.add(timestamps);
        vs.add(values);
        exemplars.add(new ArrayList<>());
        return this;
    }

    /** Adds an exemplar to the series added last (a series without samples carries exemplars only). */
    public RemoteWriteRequests exemplar(Labels exemplarLabels, double value, long t) {
        exemplars.get(exemplars.size() - 1).add(new Ex(exemplarLabels, value, t));
        return this;
    }

    public RemoteWriteRequests series(Labels l, long t, double v) {
        return series(l, new long[] {t}, new double[] {v});
    }

    public WriteRequest v1Message() {
        WriteRequest.Builder b = WriteRequest.newBuilder();
        for (int i = 0; i < labels.size(); i++) {
            TimeSeries.Builder s = TimeSeries.newBuilder();
            Labels l = labels.get(i);
            for (int j = 0; j < l.size(); j++) {
                s.addLabels(Label.newBuilder().setName(l.nameString(j)).setValue(l.valueString(j)));
            }
            for (int j = 0; j < ts.get(i).length; j++) {
                s.addSamples(Sample.newBuilder().setTimestamp(ts.get(i)[j]).setValue(vs.get(i)[j]));
            }
            for (Ex e : exemplars.get(i)) {
                io.jreceive.proto.prometheus.Exemplar.Builder x = io.jreceive.proto.prometheus.Exemplar.newBuilder()
                        .setValue(e.value()).setTimestamp(e.t());
                for (int j = 0; j < e.labels().size(); j++) {
                    x.addLabels(Label.newBuilder().setName(e.labels().nameString(j))
                            .setValue(e.labels().valueString(j)));
                }
                s.addExemplars(x);
            }
            b.addTimeseries(s);
        }
        return b.build();
    }

    public Request v2Message() {
        Map<String, Integer> symbols = new LinkedHashMap<>();
        symbols.put("", 0);
        Request.Builder b = Request.newBuilder();
        for (int i = 0; i < labels.size(); i++) {
            io.jreceive.proto.write.v2.TimeSeries.Builder s = io.jreceive.proto.write.v2.TimeSeries.newBuilder();
            Labels l = labels.get(i);
            for (int j = 0; j < l.size(); j++) {
                s.addLabelsRefs(symbols.computeIfAbsent(l.nameString(j), k -> symbols.size()));
                s.addLabelsRefs(symbols.computeIfAbsent(l.valueString(j), k -> symbols.size()));
            }
            for (int j = 0; j < ts.get(i).length; j++) {
                s.addSamples(io.jreceive.proto.write.v2.Sample.newBuilder().setTimestamp(ts.get(i)[j])
                        .setValue(vs.get(i)[j]));
            }
            for (Ex e : exemplars.get(i)) {
                io.jreceive.proto.write.v2.Exemplar.Builder x = io.jreceive.proto.write.v2.Exemplar.newBuilder()
                        .setValue(e.value()).setTimestamp(e.t());
                for (int j = 0; j < e.labels().size(); j++) {
                    x.addLabelsRefs(symbols.computeIfAbsent(e.labels().nameString(j), k -> symbols.size()));
                    x.addLabelsRefs(symbols.computeIfAbsent(e.labels().valueString(j), k -> symbols.size()));
                }
                s.addExemplars(x);
            }
            b.addTimeseries(s);
        }
        b.addAllSymbols(symbols.keySet());
        return b.build();
    }

    public byte[] v1() {
        return snappy(v1Message().toByteArray());
    }

    public byte[] v2() {
        return snappy(v2Message().toByteArray());
    }

    public static byte[] snappy(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Total samples added. */
    public int sampleCount() {
        int n = 0;
        for (long[] t : ts) {
            n += t.length;
        }
        return n;
    }
}
