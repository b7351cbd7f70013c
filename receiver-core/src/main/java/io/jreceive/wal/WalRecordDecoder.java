package io.jreceive.wal;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.labels.Labels;

/**
 * Decodes series, samples and histogram samples records (layout in {@link WalRecord}) into a {@link WalVisitor}. Entries are delivered
 * while decoding, so a record that passed its CRC but is malformed may have delivered a prefix before the
 * {@link FormatException}; a CRC-valid malformed record only arises from a writer bug, and replay stops there.
 */
public final class WalRecordDecoder {
    private WalRecordDecoder() {
    }

    /**
     * Decodes {@code record[0, len)}.
     *
     * @return the number of series, samples or histograms delivered, or -1 for a record type this decoder skips
     * @throws FormatException if the record is truncated or has trailing bytes
     */
    public static int decode(byte[] record, int len, WalVisitor visitor) {
        return decode(record, 0, len, visitor);
    }

    /** Decodes the record in {@code buf[off, off + len)}; as {@link #decode(byte[], int, WalVisitor)}. */
    public static int decode(byte[] buf, int off, int len, WalVisitor visitor) {
        if (len < WalRecord.TYPE_SIZE) {
            throw new FormatException("empty WAL record");
        }
        ByteBuffer b = ByteBuffer.wrap(buf);
        switch (buf[off + WalRecord.TYPE_OFFSET] & 0xFF) {
            case WalRecord.SERIES:
                return series(new DecBuf(b, off + WalRecord.SERIES_ENTRIES_OFFSET, off + len), visitor);
            case WalRecord.SAMPLES:
                return samples(new DecBuf(b, off + WalRecord.SAMPLES_FIRST_REF_OFFSET, off + len), visitor);
            case HistogramRecord.HISTOGRAM_SAMPLES, HistogramRecord.CUSTOM_BUCKETS_HISTOGRAM_SAMPLES,
                    HistogramRecord.FLOAT_HISTOGRAM_SAMPLES, HistogramRecord.CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES:
                return histograms(buf[off + WalRecord.TYPE_OFFSET] & 0xFF,
                        new DecBuf(b, off + HistogramRecord.BASE_REF_OFFSET, off + len), visitor);
            default:
                return -1;
        }
    }

    private static int series(DecBuf d, WalVisitor visitor) {
        int n = 0;
        while (d.remaining() > 0) {
            long ref = d.be64();
            int pairs = d.uvarint32();
            if (pairs > d.remaining() / 2) {
                throw new FormatException("series " + ref + " claims " + pairs + " labels in " + d.remaining()
                        + " bytes at offset " + d.position());
            }
            byte[][] nv = new byte[pairs * 2][];
            boolean sorted = true;
            for (int i = 0; i < nv.length; i += 2) {
                nv[i] = d.uvarintBytes();
                nv[i + 1] = d.uvarintBytes();
                if (i > 0 && Arrays.compareUnsigned(nv[i - 2], nv[i]) >= 0) {
                    sorted = false;
                }
            }
            visitor.onSeries(ref, sorted ? Labels.wrapSorted(nv) : rebuild(nv));
            n++;
        }
        return n;
    }

    /** Labels logged out of order (not by jreceive or Prometheus) are sorted; a repeated name keeps the last value. */
    private static Labels rebuild(byte[][] nv) {
        Labels.Builder b = new Labels.Builder();
        for (int i = 0; i < nv.length; i += 2) {
            b.set(nv[i], nv[i + 1]);
        }
        return b.build();
    }

    /**
     * Histogram entries; like Prometheus, entries with a schema no reader knows are skipped (after decoding them,
     * since their length is only known then). An empty record (type byte only) holds no entries.
     */
    private static int histograms(int type, DecBuf d, WalVisitor visitor) {
        if (d.remaining() == 0) {
            return 0;
        }
        final long baseRef = d.be64();
        final long baseT = d.be64();
        final boolean isFloat = HistogramRecord.isFloat(type);
        int n = 0;
        while (d.remaining() > 0) {
            long ref = baseRef + d.varint();
            long t = baseT + d.varint();
            if (isFloat) {
                FloatHistogram h = HistogramRecord.readFloatHistogram(d);
                if (Schemas.isKnown(h.schema())) {
                    visitor.onFloatHistogram(ref, t, h);
                    n++;
                }
            } else {
                Histogram h = HistogramRecord.readHistogram(d);
                if (Schemas.isKnown(h.schema())) {
                    visitor.onHistogram(ref, t, h);
                    n++;
                }
            }
        }
        return n;
    }

    private static int samples(DecBuf d, WalVisitor visitor) {
        final long firstRef = d.be64();
        final long firstT = d.be64();
        int n = 0;
        while (d.remaining() > 0) {
            long ref = firstRef + d.varint();
            long t = firstT + d.varint();
            visitor.onSample(ref, t, d.be64());
            n++;
        }
        return n;
    }
}
