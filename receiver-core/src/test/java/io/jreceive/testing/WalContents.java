package io.jreceive.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.jreceive.labels.Labels;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalVisitor;

/** Reads a WAL directory back into text lines {@code {labels} <value bits hex> <t>}, in log order, for assertions. */
public final class WalContents {
    private WalContents() {
    }

    public static List<String> lines(Path walDir) throws IOException {
        Map<Long, Labels> series = new HashMap<>();
        List<String> out = new ArrayList<>();
        WalReader.read(walDir, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                series.put(ref, labels);
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                out.add(series.get(ref) + " " + Long.toHexString(valueBits) + " " + t);
            }
        });
        return out;
    }

    public static String line(Labels l, double v, long t) {
        return l + " " + Long.toHexString(Double.doubleToRawLongBits(v)) + " " + t;
    }
}
