package io.jreceive.ingest;

import io.jreceive.head.WriteBatch;

import java.util.Arrays;

/**
 * Decodes a remote write 2.0 {@code io.prometheus.write.v2.Request} straight from its bytes into a
 * {@link WriteBatch}: {@code symbols = 4} (string table, {@code symbols[0]} must be ""), {@code timeseries = 5};
 * {@code TimeSeries.labels_refs = 1} (packed or not), {@code samples = 2}, {@code histograms = 3},
 * {@code exemplars = 4}, {@code metadata = 5}; {@code Sample.value = 1, timestamp = 2, start_timestamp = 3}.
 * Histograms (custom-bucket ones with their {@code custom_values} included) go to the batch's
 * {@link io.jreceive.head.BatchHistograms} ({@link HistogramProtoDecoder}).
 * Label offsets in the batch point at the symbol bytes, so nothing is copied. A reference outside the symbol table
 * or an odd number of references makes the request undecodable (400), and so does a series over the label limits
 * (as in {@link RemoteWriteDecoder}, checked before the references are stored).
 */
public final class RemoteWrite2Decoder {
    private final ProtoReader req = new ProtoReader();
    private final ProtoReader ts = new ProtoReader();
    private final HistogramProtoDecoder histograms = new HistogramProtoDecoder();
    private final ProtoReader msg = new ProtoReader();
    private int[] symOff = new int[256];
    private int[] symLen = new int[256];
    private int symCount;
    private int[] seriesOff = new int[64];
    private int[] seriesLen = new int[64];
    private int[] refs = new int[64];
    private int maxLabels;
    private int maxLabelBytes;

    /** The arrays that grew past these (symbols, series, references) are released after the request. */
    private static final int RETAINED = 64 * 1024;

    public void decode(byte[] buf, int len, WriteBatch out, RemoteWriteLimits limits) {
        out.reset(buf);
        maxLabels = limits.maxLabelsPerSeries();
        maxLabelBytes = limits.maxLabelBytes();
        req.reset(buf, 0, len);
        symCount = 0;
        int series = 0;
        while (req.hasMore()) {
            int tag = req.tag();
            switch (tag >>> 3) {
                case 4 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "Request.symbols");
                    int n = req.len();
                    if (symCount == symOff.length) {
                        symOff = Arrays.copyOf(symOff, symCount * 2);
                        symLen = Arrays.copyOf(symLen, symCount * 2);
                    }
                    symOff[symCount] = req.pos;
                    symLen[symCount] = n;
                    symCount++;
                    req.pos += n;
                }
                case 5 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "Request.timeseries");
                    int n = req.len();
                    if (series == seriesOff.length) {
                        seriesOff = Arrays.copyOf(seriesOff, series * 2);
                        seriesLen = Arrays.copyOf(seriesLen, series * 2);
                    }
                    seriesOff[series] = req.pos;
                    seriesLen[series] = n;
                    series++;
                    req.pos += n;
                }
                default -> req.skip(tag & 7);
            }
        }
        if (symCount > 0 && symLen[0] != 0) {
            throw new DecodeException("symbols[0] must be the empty string");
        }
        for (int i = 0; i < series; i++) {
            timeSeries(out, seriesOff[i], seriesOff[i] + seriesLen[i]);
        }
    }

    private void timeSeries(WriteBatch out, int from, int to) {
        int s = out.beginSeries();
        int nrefs = 0;
        ts.reset(out.buf(), from, to);
        while (ts.hasMore()) {
            int tag = ts.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    if ((tag & 7) == ProtoReader.WIRE_LEN) {
                        int n = ts.len();
                        int end = ts.pos + n;
                        msg.reset(out.buf(), ts.pos, end);
                        while (msg.hasMore()) {
                            nrefs = addRef(nrefs, msg.varint());
                        }
                        ts.pos = end;
                    } else {
                        ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "TimeSeries.labels_refs");
                        nrefs = addRef(nrefs, ts.varint());
                    }
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.samples");
                    int n = ts.len();
                    RemoteWriteDecoder.sample(msg, out, s, ts.pos, ts.pos + n);
                    ts.pos += n;
                }
                case 3 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.histograms");
                    int n = ts.len();
                    histograms.decode(out.buf(), ts.pos, ts.pos + n, out.histograms(), s);
                    ts.pos += n;
                    out.addHistogram();
                }
                case 4 -> {
                    ts.skip(tag & 7);
                    out.addExemplar();
                }
                default -> ts.skip(tag & 7);
            }
        }
        if ((nrefs & 1) != 0) {
            throw new DecodeException("invalid labels_refs: odd number of references (" + nrefs + ")");
        }
        for (int i = 0; i < nrefs; i += 2) {
            int n = refs[i];
            int v = refs[i + 1];
            RemoteWriteDecoder.checkLabelBytes(symLen[n], symLen[v], maxLabelBytes);
            out.addLabel(s, symOff[n], symLen[n], symOff[v], symLen[v]);
        }
        out.endSeries(s);
    }

    /** Releases the arrays one large request grew past {@link #RETAINED} entries. */
    public void trim() {
        if (symOff.length > RETAINED) {
            symOff = new int[256];
            symLen = new int[256];
        }
        if (seriesOff.length > RETAINED) {
            seriesOff = new int[64];
            seriesLen = new int[64];
        }
        if (refs.length > RETAINED) {
            refs = new int[64];
        }
    }

    private int addRef(int nrefs, long ref) {
        if (ref < 0 || ref >= symCount) {
            throw new DecodeException("invalid labels_refs: reference " + ref + " outside the " + symCount
                    + " symbols");
        }
        if (nrefs == 2 * maxLabels) {
            throw RemoteWriteDecoder.tooManyLabels(maxLabels);
        }
        if (nrefs == refs.length) {
            refs = Arrays.copyOf(refs, nrefs * 2);
        }
        refs[nrefs] = (int) ref;
        return nrefs + 1;
    }
}
