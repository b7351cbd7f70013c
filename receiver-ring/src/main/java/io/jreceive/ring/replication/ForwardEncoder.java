package io.jreceive.ring.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.CodedOutputStream;

import io.jreceive.head.WriteBatch;

/**
 * Encodes the series of one forward as Thanos' {@code thanos.WriteRequest} straight from the decoded batch, without
 * message objects: {@code timeseries = 1} (each {@code prometheus_copy.TimeSeries}: {@code labels = 1}
 * {@code {name = 1, value = 2}}, {@code samples = 2} {@code {value = 1 double, timestamp = 2 int64}}),
 * {@code tenant = 2}, {@code replica = 3}. Label bytes are copied as they arrived, in their order, so the receiving
 * node hashes exactly what this one hashed. Proto3 zero values (an empty tenant, replica 0) are left out, as gogo
 * does. Histograms and exemplars are not carried (the engine does not store them yet).
 */
final class ForwardEncoder {
    private ForwardEncoder() {
    }

    static byte[] encode(String tenant, long replica, WriteBatch b, int[] series, int count) {
        int total = 0;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = seriesSize(b, series[i]);
            total += 1 + CodedOutputStream.computeUInt32SizeNoTag(sizes[i]) + sizes[i];
        }
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        if (t.length > 0) {
            total += CodedOutputStream.computeByteArraySize(2, t);
        }
        if (replica != 0) {
            total += CodedOutputStream.computeInt64Size(3, replica);
        }
        byte[] out = new byte[total];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            for (int i = 0; i < count; i++) {
                int s = series[i];
                o.writeTag(1, 2);
                o.writeUInt32NoTag(sizes[i]);
                writeSeries(o, b, s);
            }
            if (t.length > 0) {
                o.writeByteArray(2, t);
            }
            if (replica != 0) {
                o.writeInt64(3, replica);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static int labelSize(WriteBatch b, int l) {
        int n = b.nameLen(l);
        int v = b.valueLen(l);
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(n) + n + 1 + CodedOutputStream.computeUInt32SizeNoTag(v) + v;
    }

    private static int sampleSize(WriteBatch b, int i) {
        return 9 + CodedOutputStream.computeInt64Size(2, b.timestamp(i));
    }

    private static int seriesSize(WriteBatch b, int s) {
        int size = 0;
        for (int l = b.labelStart(s), end = l + b.labelCount(s); l < end; l++) {
            int ls = labelSize(b, l);
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ls) + ls;
        }
        for (int i = b.sampleStart(s), end = i + b.sampleCount(s); i < end; i++) {
            int ss = sampleSize(b, i);
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ss) + ss;
        }
        return size;
    }

    private static void writeSeries(CodedOutputStream o, WriteBatch b, int s) throws IOException {
        byte[] buf = b.buf();
        for (int l = b.labelStart(s), end = l + b.labelCount(s); l < end; l++) {
            o.writeTag(1, 2);
            o.writeUInt32NoTag(labelSize(b, l));
            o.writeTag(1, 2);
            o.writeUInt32NoTag(b.nameLen(l));
            o.writeRawBytes(buf, b.nameOff(l), b.nameLen(l));
            o.writeTag(2, 2);
            o.writeUInt32NoTag(b.valueLen(l));
            o.writeRawBytes(buf, b.valueOff(l), b.valueLen(l));
        }
        for (int i = b.sampleStart(s), end = i + b.sampleCount(s); i < end; i++) {
            o.writeTag(2, 2);
            o.writeUInt32NoTag(sampleSize(b, i));
            o.writeFixed64(1, b.valueBits(i));
            o.writeInt64(2, b.timestamp(i));
        }
    }
}
