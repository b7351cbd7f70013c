package io.jreceive.wal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.encoding.Varint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.labels.Labels;

/**
 * Decodes series, samples, histogram samples and exemplars records (layout in {@link WalRecord}) into a
 * {@link WalVisitor}. Entries are delivered
 * while decoding, so a record that passed its CRC but is malformed may have delivered a prefix before the
 * {@link FormatException}; a CRC-valid malformed record only arises from a writer bug, and replay stops there.
 * Given a {@link WalSamples}, a samples record is decoded whole into it first and delivered in one
 * {@link WalVisitor#onSamples} call (nothing of it when it is malformed).
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
        return decode(buf, off, len, visitor, null);
    }

    /**
     * Decodes the record in {@code buf[off, off + len)} as {@link #decode(byte[], int, int, WalVisitor)}, but a
     * samples record goes to {@link WalVisitor#onSamples} whole, decoded into {@code batch} (unless it is null).
     */
    public static int decode(byte[] buf, int off, int len, WalVisitor visitor, WalSamples batch) {
        if (len < WalRecord.TYPE_SIZE) {
            throw new FormatException("empty WAL record");
        }
        ByteBuffer b = ByteBuffer.wrap(buf);
        switch (buf[off + WalRecord.TYPE_OFFSET] & 0xFF) {
            case WalRecord.SERIES:
                return series(new DecBuf(b, off + WalRecord.SERIES_ENTRIES_OFFSET, off + len), visitor);
            case WalRecord.SAMPLES:
                return batch == null
                        ? samples(new DecBuf(b, off + WalRecord.SAMPLES_FIRST_REF_OFFSET, off + len), visitor)
                        : samples(buf, off + WalRecord.SAMPLES_FIRST_REF_OFFSET, off + len, visitor, batch);
            case WalRecord.EXEMPLARS:
                return exemplars(new DecBuf(b, off + WalRecord.EXEMPLARS_FIRST_REF_OFFSET, off + len), visitor);
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

    /**
     * The samples into {@code batch}, then to the visitor at once. Read straight from the array rather than through
     * {@link DecBuf}, whose bounds check and buffer call per byte were most of the replay's decoding profile; the
     * varints follow Go's rules as {@link DecBuf#uvarint} does (at most 10 bytes, no overflow).
     */
    private static int samples(byte[] buf, int from, int end, WalVisitor visitor, WalSamples batch) {
        if (end - from < 2 * Long.BYTES) {
            throw new FormatException("samples record header truncated at offset " + from);
        }
        final long firstRef = (long) BE64.get(buf, from);
        final long firstT = (long) BE64.get(buf, from + Long.BYTES);
        int pos = from + 2 * Long.BYTES;
        batch.reset((end - pos) / MIN_SAMPLE_SIZE);
        while (pos < end) {
            final long ref = uvarint(buf, pos, end);
            pos = skipUvarint(buf, pos);
            final long t = uvarint(buf, pos, end);
            pos = skipUvarint(buf, pos);
            if (end - pos < WalRecord.SAMPLE_VALUE_SIZE) {
                throw new FormatException("unexpected end of data at offset " + pos + " (need "
                        + WalRecord.SAMPLE_VALUE_SIZE + " bytes, have " + (end - pos) + ")");
            }
            batch.add(firstRef + Varint.unZigZag(ref), firstT + Varint.unZigZag(t), (long) BE64.get(buf, pos));
            pos += WalRecord.SAMPLE_VALUE_SIZE;
        }
        visitor.onSamples(batch);
        return batch.size();
    }

    /** Go's uvarint at {@code buf[pos]}, which must end before {@code end}. */
    private static long uvarint(byte[] buf, int pos, int end) {
        long result = 0;
        for (int i = 0, shift = 0; i < Varint.MAX_LEN; i++, shift += 7) {
            if (pos + i >= end) {
                throw new FormatException("unexpected end of data at offset " + (pos + i));
            }
            int x = buf[pos + i] & 0xFF;
            if (x < 0x80) {
                if (i == Varint.MAX_LEN - 1 && x > 1) {
                    throw new FormatException("uvarint overflows 64 bits at offset " + (pos + i));
                }
                return result | ((long) x << shift);
            }
            result |= (long) (x & 0x7F) << shift;
        }
        throw new FormatException("uvarint longer than 10 bytes at offset " + pos);
    }

    /** The end of the uvarint at {@code buf[pos]}, which {@link #uvarint} has read. */
    private static int skipUvarint(byte[] buf, int pos) {
        while (buf[pos] < 0) {
            pos++;
        }
        return pos + 1;
    }

    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The fewest bytes a sample entry takes: two one-byte varints and the value. */
    private static final int MIN_SAMPLE_SIZE = 1 + 1 + WalRecord.SAMPLE_VALUE_SIZE;

    private static int exemplars(DecBuf d, WalVisitor visitor) {
        if (d.remaining() == 0) {
            return 0; // Prometheus writes a bare type byte for an empty exemplars record
        }
        final long firstRef = d.be64();
        final long firstT = d.be64();
        int n = 0;
        while (d.remaining() > 0) {
            long ref = firstRef + d.varint();
            long t = firstT + d.varint();
            long bits = d.be64();
            int pairs = d.uvarint32();
            if (pairs > d.remaining() / 2) {
                throw new FormatException("exemplar of series " + ref + " claims " + pairs + " labels in "
                        + d.remaining() + " bytes at offset " + d.position());
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
            visitor.onExemplar(ref, t, bits, sorted ? Labels.wrapSorted(nv) : rebuild(nv));
            n++;
        }
        return n;
    }
}
