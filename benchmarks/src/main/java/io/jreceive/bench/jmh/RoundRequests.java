package io.jreceive.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.IntStream;

import io.jreceive.bench.RemoteWriteEncoder;
import io.jreceive.bench.SyntheticSeries;
import io.jreceive.bench.WriteBatch;
import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.Varint;
import org.xerial.snappy.Snappy;

/**
 * One round (one sample of every series) of a {@link SyntheticSeries}, encoded by the load generator's
 * {@link RemoteWriteEncoder} as uncompressed remote-write bodies of {@value #SAMPLES} samples each, the way a
 * Prometheus queue shard sends them. The offset of every sample's timestamp varint and value fixed64 is recorded,
 * so {@link #toRound} can rewrite a request in place as a later round: the head sees new, increasing samples of the
 * same series without a request being encoded again or stored per round.
 */
final class RoundRequests {
    /** Samples per request, Prometheus' {@code max_samples_per_send}. */
    static final int SAMPLES = 2000;
    /** Labels besides {@code __name__}, the load generator's default. */
    static final int LABELS = 5;
    /** Timestamp of round 0: a 2h boundary, so chunks are cut the way they are in production. */
    static final long START_MS = 1_700_006_400_000L;
    /** Scrape interval. */
    static final long INTERVAL_MS = 15_000;
    /** Round the bodies are encoded as; from round 1 on every value is non-zero, so no value field is omitted. */
    private static final int ENCODED_ROUND = 1;

    private static final int KEY_SAMPLE_VALUE = 0x09;
    private static final int KEY_SAMPLE_TIMESTAMP = 0x10;
    private static final int WIRE_LEN = 2;

    final SyntheticSeries data;
    final int protocol;
    /** Per request: the protobuf bytes (capacity may exceed {@link #len}). */
    final byte[][] body;
    final int[] len;
    /** Per request and sample: offset of the {@code Sample.timestamp} varint, and of the {@code Sample.value} bits. */
    private final int[][] tsOff;
    private final int[][] valueOff;
    /** Per request: index of the first series; sample {@code m} is series {@code first + m}. */
    private final int[] first;
    /** Per request: the round it currently holds. */
    private final int[] round;

    private RoundRequests(SyntheticSeries data, int protocol, int requests) {
        this.data = data;
        this.protocol = protocol;
        body = new byte[requests][];
        len = new int[requests];
        tsOff = new int[requests][SAMPLES];
        valueOff = new int[requests][SAMPLES];
        first = new int[requests];
        round = new int[requests];
    }

    /**
     * Encodes one round of {@code series} series (a multiple of {@value #SAMPLES}) as requests of the protocol
     * (1 or 2); request {@code j} holds series {@code [j * SAMPLES, (j + 1) * SAMPLES)}.
     */
    static RoundRequests encode(int series, int protocol) {
        if (series % SAMPLES != 0) {
            throw new IllegalArgumentException("series must be a multiple of " + SAMPLES + ": " + series);
        }
        SyntheticSeries data = new SyntheticSeries(series, Integer.MAX_VALUE, LABELS, 0, 1, START_MS, INTERVAL_MS);
        RemoteWriteEncoder encoder = new RemoteWriteEncoder(data, protocol);
        int requests = series / SAMPLES;
        RoundRequests rr = new RoundRequests(data, protocol, requests);
        int[] all = IntStream.range(0, series).toArray();
        RemoteWriteEncoder.Session session = encoder.session();
        for (int j = 0; j < requests; j++) {
            int from = ENCODED_ROUND * series + j * SAMPLES;
            EncBuf raw = session.encodeRaw(new WriteBatch(0, null, all, from, from + SAMPLES, null));
            rr.body[j] = raw.toByteArray();
            rr.len[j] = raw.len();
            rr.first[j] = j * SAMPLES;
            rr.round[j] = ENCODED_ROUND;
            rr.locateSamples(j);
        }
        return rr;
    }

    int requests() {
        return body.length;
    }

    /** Rewrites request {@code j} in place to carry round {@code r} ({@code r >= 1}) of its series. */
    void toRound(int j, int r) {
        if (r < ENCODED_ROUND) {
            throw new IllegalArgumentException("round " + r + " may have zero values, which change the encoding");
        }
        final byte[] b = body[j];
        final long t = data.timestamp(r);
        final int tsSize = Varint.uvarintSize(t);
        if (tsSize != Varint.uvarintSize(data.timestamp(round[j]))) {
            throw new IllegalStateException("timestamp " + t + " needs another varint size");
        }
        final int[] to = tsOff[j];
        final int[] vo = valueOff[j];
        final int s0 = first[j];
        for (int m = 0; m < SAMPLES; m++) {
            int p = to[m];
            long v = t;
            for (int k = 1; k < tsSize; k++) {
                b[p++] = (byte) (v | 0x80);
                v >>>= 7;
            }
            b[p] = (byte) v;
            long bits = Double.doubleToRawLongBits(data.value(s0 + m, r));
            p = vo[m];
            for (int k = 0; k < 8; k++) {
                b[p + k] = (byte) (bits >>> (8 * k));
            }
        }
        round[j] = r;
    }

    /** The snappy block-compressed body of request {@code j} as it stands now. */
    byte[] snappy(int j) {
        try {
            byte[] out = new byte[Snappy.maxCompressedLength(len[j])];
            int n = Snappy.rawCompress(body[j], 0, len[j], out, 0);
            return Arrays.copyOf(out, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Walks request {@code j}'s TimeSeries messages (v1 field 1, v2 field 5) and records each sample's fields. */
    private void locateSamples(int j) {
        final byte[] b = body[j];
        final int seriesField = protocol == 1 ? 1 : 5;
        int[] pos = {0};
        int found = 0;
        while (pos[0] < len[j]) {
            long key = uvarint(b, pos);
            if ((key & 7) != WIRE_LEN) {
                throw new IllegalStateException("unexpected wire type in request at " + pos[0]);
            }
            int n = (int) uvarint(b, pos);
            int end = pos[0] + n;
            if (key >>> 3 == seriesField) {
                found = sample(j, found, b, pos[0], end);
            }
            pos[0] = end;
        }
        if (found != SAMPLES) {
            throw new IllegalStateException("request " + j + " holds " + found + " samples, expected " + SAMPLES);
        }
    }

    /** Finds the one {@code TimeSeries.samples} (field 2) of a series message and records its field offsets. */
    private int sample(int j, int m, byte[] b, int from, int to) {
        int[] pos = {from};
        while (pos[0] < to) {
            long key = uvarint(b, pos);
            if ((key & 7) != WIRE_LEN) {
                uvarint(b, pos);
                continue;
            }
            int n = (int) uvarint(b, pos);
            int end = pos[0] + n;
            if (key >>> 3 == 2) {
                int ts = -1;
                int value = -1;
                while (pos[0] < end) {
                    int k = (int) uvarint(b, pos);
                    if (k == KEY_SAMPLE_VALUE) {
                        value = pos[0];
                        pos[0] += 8;
                    } else if (k == KEY_SAMPLE_TIMESTAMP) {
                        ts = pos[0];
                        uvarint(b, pos);
                    } else {
                        throw new IllegalStateException("unexpected Sample field key " + k);
                    }
                }
                if (ts < 0 || value < 0) {
                    throw new IllegalStateException("sample " + m + " of request " + j + " lacks a field");
                }
                tsOff[j][m] = ts;
                valueOff[j][m] = value;
                m++;
            }
            pos[0] = end;
        }
        return m;
    }

    private static long uvarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }
}
