package io.jreceive.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.Channel;
import io.jreceive.chunk.XorIterator;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.AggrChunk;
import io.jreceive.proto.thanos.Chunk;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.PartialResponseStrategy;
import io.jreceive.proto.thanos.Series;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;

/**
 * Reads a load run back through the Thanos StoreAPI ({@code thanos.Store/Series}) and checks that every
 * acknowledged sample is readable with its exact timestamp and value.
 *
 * <p>One call selects {@code __name__=~"loadgen_metric_.*"} over the run's time range with partial responses
 * aborted. Labels the server adds (external labels such as {@code replica}, the {@code tenant_id} Thanos Receive
 * attaches) are dropped before a series is matched to its generated index; a {@code tenant_id}, if present, must
 * name the tenant the series was sent to. Raw XOR chunks are decoded with {@link XorIterator}. A sample read twice
 * (the same series from head and block) counts once.
 */
public final class StoreVerifier {
    /** Label Thanos Receive adds to every series of a tenant. */
    public static final String TENANT_LABEL = "tenant_id";
    /** Largest gRPC message accepted; a Series frame of a long series easily exceeds gRPC's 4 MiB default. */
    public static final int MAX_MESSAGE_BYTES = 256 << 20;
    private static final int MAX_EXAMPLES = 5;

    private final SyntheticSeries data;
    private final long deadlineMs;

    /**
     * @param deadlineMs deadline of the whole Series call
     */
    public StoreVerifier(SyntheticSeries data, long deadlineMs) {
        this.data = data;
        this.deadlineMs = deadlineMs;
    }

    /** Reads everything back over {@code channel} and compares it with the {@code acknowledged} requests. */
    public VerifyResult verify(Channel channel, List<WriteBatch> acknowledged) {
        int samples = data.samples();
        long total = data.totalSamples();
        long[] expected = new long[(int) ((total + 63) >>> 6)];
        long expectedCount = 0;
        for (WriteBatch b : acknowledged) {
            for (int k = b.from(); k < b.to(); k++) {
                long bit = (long) b.seriesAt(k) * samples + b.roundAt(k);
                if (!get(expected, bit)) {
                    set(expected, bit);
                    expectedCount++;
                }
            }
        }
        long[] found = new long[expected.length];
        List<String> examples = new ArrayList<>();
        long frames = 0;
        long chunks = 0;
        long foundCount = 0;
        long wrongValues = 0;
        long unexpectedSamples = 0;
        long unexpectedSeries = 0;
        long wrongTenant = 0;

        SeriesRequest req = SeriesRequest.newBuilder()
            .setMinTime(data.timestamp(0))
            .setMaxTime(data.timestamp(samples - 1))
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("__name__")
                .setValue(SyntheticSeries.METRIC_PREFIX + ".*"))
            .setPartialResponseStrategy(PartialResponseStrategy.ABORT)
            .setPartialResponseDisabled(true)
            .build();
        Iterator<SeriesResponse> it = StoreGrpc.newBlockingStub(channel)
            .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
            .withMaxInboundMessageSize(MAX_MESSAGE_BYTES)
            .series(req);
        XorIterator xor = new XorIterator();
        while (it.hasNext()) {
            SeriesResponse resp = it.next();
            if (!resp.hasSeries()) {
                continue;
            }
            frames++;
            Series s = resp.getSeries();
            Labels.Builder lb = new Labels.Builder();
            String tenant = null;
            for (Label l : s.getLabelsList()) {
                if (data.generatesLabel(l.getName())) {
                    lb.set(l.getName(), l.getValue());
                } else if (l.getName().equals(TENANT_LABEL)) {
                    tenant = l.getValue();
                }
            }
            Labels labels = lb.build();
            int i = data.indexOf(labels);
            if (i < 0) {
                unexpectedSeries++;
                example(examples, "unexpected series " + labels);
                continue;
            }
            if (tenant != null && data.tenants() > 0 && !tenant.equals(data.tenant(i))) {
                wrongTenant++;
                example(examples, "series " + labels + " read from tenant " + tenant + ", sent to " + data.tenant(i));
            }
            for (AggrChunk c : s.getChunksList()) {
                if (!c.hasRaw() || c.getRaw().getType() != Chunk.Encoding.XOR) {
                    unexpectedSamples++;
                    example(examples, "series " + labels + " has a chunk that is not raw XOR");
                    continue;
                }
                chunks++;
                byte[] bytes = c.getRaw().getData().toByteArray();
                xor.reset(bytes, 0, bytes.length);
                while (xor.next()) {
                    long t = xor.timestamp();
                    int r = round(t);
                    long bit = (long) i * samples + r;
                    if (r < 0 || !get(expected, bit)) {
                        unexpectedSamples++;
                        example(examples, "series " + labels + " has unacknowledged sample at " + t);
                        continue;
                    }
                    if (Double.doubleToRawLongBits(xor.value()) != Double.doubleToRawLongBits(data.value(i, r))) {
                        wrongValues++;
                        example(examples, "series " + labels + " at " + t + ": read " + xor.value() + ", sent "
                            + data.value(i, r));
                    } else if (!get(found, bit)) {
                        set(found, bit);
                        foundCount++;
                    }
                }
            }
        }
        long missingSeries = 0;
        for (int i = 0; i < data.series(); i++) {
            boolean any = false;
            boolean none = true;
            for (int r = 0; r < samples; r++) {
                long bit = (long) i * samples + r;
                if (get(expected, bit)) {
                    any = true;
                    if (get(found, bit)) {
                        none = false;
                    } else if (examples.size() < MAX_EXAMPLES) {
                        example(examples, "missing " + data.labels(i) + " at " + data.timestamp(r));
                    }
                }
            }
            if (any && none) {
                missingSeries++;
            }
        }
        return new VerifyResult(expectedCount, foundCount, expectedCount - foundCount, missingSeries, wrongValues,
            unexpectedSamples, unexpectedSeries, wrongTenant, frames, chunks, List.copyOf(examples));
    }

    /** The round whose timestamp is {@code t}, or -1 if no round has it. */
    private int round(long t) {
        long off = t - data.startMs();
        if (off < 0 || off % data.intervalMs() != 0 || off / data.intervalMs() >= data.samples()) {
            return -1;
        }
        return (int) (off / data.intervalMs());
    }

    private static void example(List<String> examples, String s) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(s);
        }
    }

    private static boolean get(long[] bits, long i) {
        return (bits[(int) (i >>> 6)] & (1L << i)) != 0;
    }

    private static void set(long[] bits, long i) {
        bits[(int) (i >>> 6)] |= 1L << i;
    }
}
