package io.jreceive.relabel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.jreceive.head.BatchHistograms;
import io.jreceive.head.WriteBatch;

/**
 * Relabels a decoded remote-write request before it is stored, as Thanos' handler does before routing: each series'
 * labels go through the {@link Relabeler}; a dropped series vanishes with its samples and exemplars, a kept one is
 * rebuilt with its labels sorted (its exemplars keep theirs). The tenant label is not among them (it is an external label of the tenant's blocks). Only
 * built when relabel rules are configured: the path without rules never reaches this class.
 */
public final class BatchRelabeler {
    private final Relabeler relabeler;

    public BatchRelabeler(Relabeler relabeler) {
        this.relabeler = relabeler;
    }

    /**
     * Fills {@code out} with what is left of {@code in} after relabelling (the series the decoder already dropped
     * as invalid stay counted); returns the series kept.
     */
    public int apply(WriteBatch in, WriteBatch out) {
        final byte[] buf = in.buf();
        List<byte[][]> kept = new ArrayList<>();
        List<Integer> from = new ArrayList<>();
        int bytes = 0;
        TreeMap<String, String> lb = new TreeMap<>();
        for (int s = 0; s < in.seriesCount(); s++) {
            lb.clear();
            int l0 = in.labelStart(s);
            for (int l = l0; l < l0 + in.labelCount(s); l++) {
                lb.put(new String(buf, in.nameOff(l), in.nameLen(l), StandardCharsets.UTF_8),
                        new String(buf, in.valueOff(l), in.valueLen(l), StandardCharsets.UTF_8));
            }
            if (!relabeler.process(lb)) {
                continue;
            }
            byte[][] nv = new byte[lb.size() * 2][];
            int i = 0;
            for (Map.Entry<String, String> e : lb.entrySet()) {
                nv[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
                nv[i + 1] = e.getValue().getBytes(StandardCharsets.UTF_8);
                bytes += nv[i].length + nv[i + 1].length;
                i += 2;
            }
            kept.add(nv);
            from.add(s);
        }
        byte[] outBuf = new byte[bytes];
        out.reset(outBuf);
        out.carryDropped(in);
        int pos = 0;
        final BatchHistograms hin = in.histograms();
        int h = 0;
        int ex = 0; // the exemplars are in batch series order
        for (int k = 0; k < kept.size(); k++) {
            byte[][] nv = kept.get(k);
            int src = from.get(k);
            int s = out.beginSeries();
            for (int i = 0; i < nv.length; i += 2) {
                int nOff = pos;
                System.arraycopy(nv[i], 0, outBuf, pos, nv[i].length);
                pos += nv[i].length;
                int vOff = pos;
                System.arraycopy(nv[i + 1], 0, outBuf, pos, nv[i + 1].length);
                pos += nv[i + 1].length;
                out.addLabel(s, nOff, nv[i].length, vOff, nv[i + 1].length);
            }
            int t0 = in.sampleStart(src);
            for (int t = t0; t < t0 + in.sampleCount(src); t++) {
                out.addSample(s, in.timestamp(t), in.valueBits(t));
            }
            while (h < hin.count() && hin.series(h) < src) {
                h++;
            }
            for (; h < hin.count() && hin.series(h) == src; h++) {
                out.histograms().copy(hin, h, s);
            }
            while (ex < in.exemplars().count() && in.exemplars().series(ex) < src) {
                ex++;
            }
            while (ex < in.exemplars().count() && in.exemplars().series(ex) == src) {
                out.exemplars().copy(in.exemplars(), ex++, s);
            }
            // A series relabelled to no labels at all is invalid: dropped here and counted, as the decoder does.
            out.endSeries(s);
        }
        return out.seriesCount();
    }
}
