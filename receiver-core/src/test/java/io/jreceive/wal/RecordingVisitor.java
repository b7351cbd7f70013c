package io.jreceive.wal;

import java.util.ArrayList;
import java.util.List;

import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.labels.Labels;

/** Records every replayed entry as a line, so tests compare whole replays with {@code assertEquals}. */
final class RecordingVisitor implements WalVisitor {
    final List<String> events = new ArrayList<>();

    static String series(long ref, Labels labels) {
        return "series " + ref + " " + labels;
    }

    static String sample(long ref, long t, long valueBits) {
        return "sample " + ref + " " + t + " " + Long.toHexString(valueBits);
    }

    @Override
    public void onSeries(long ref, Labels labels) {
        events.add(series(ref, labels));
    }

    @Override
    public void onSample(long ref, long t, long valueBits) {
        events.add(sample(ref, t, valueBits));
    }

    @Override
    public void onHistogram(long ref, long t, Histogram h) {
        events.add("histogram " + ref + " " + t + " " + h);
    }

    @Override
    public void onFloatHistogram(long ref, long t, FloatHistogram h) {
        events.add("floathistogram " + ref + " " + t + " " + h);
    }

    /** The events {@code record[0, len)} decodes to. */
    static List<String> of(byte[] record, int len) {
        RecordingVisitor v = new RecordingVisitor();
        WalRecordDecoder.decode(record, len, v);
        return v.events;
    }
}
