package io.jreceive.bench;

import java.util.List;
import java.util.function.IntPredicate;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.jreceive.chunk.XorAppender;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.AggrChunk;
import io.jreceive.proto.thanos.Chunk;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.Series;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;

/**
 * A test StoreAPI that serves a {@link SyntheticSeries} as Thanos Receive would: each series with an external
 * {@code replica} label and its {@code tenant_id}, samples in XOR chunks of at most 120. A filter on the flat sample
 * index ({@code series * samples + round}) lets a test drop samples; a value offset lets it corrupt one.
 */
final class FakeStore extends StoreGrpc.StoreImplBase {
    private final SyntheticSeries data;
    private final IntPredicate served;
    private final int corruptSample;
    final List<SeriesRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param served        which flat sample indices to serve
     * @param corruptSample flat index of a sample served with a wrong value, or -1
     */
    FakeStore(SyntheticSeries data, IntPredicate served, int corruptSample) {
        this.data = data;
        this.served = served;
        this.corruptSample = corruptSample;
    }

    @Override
    public void series(SeriesRequest request, StreamObserver<SeriesResponse> out) {
        requests.add(request);
        for (int i = 0; i < data.series(); i++) {
            Series.Builder s = Series.newBuilder();
            Labels l = data.labels(i);
            for (int p = 0; p < l.size(); p++) {
                s.addLabels(Label.newBuilder().setName(l.nameString(p)).setValue(l.valueString(p)));
            }
            s.addLabels(Label.newBuilder().setName("replica").setValue("0"));
            s.addLabels(Label.newBuilder().setName(StoreVerifier.TENANT_LABEL)
                .setValue(data.tenants() == 0 ? "default-tenant" : data.tenant(i)));
            XorAppender app = null;
            long min = 0;
            for (int r = 0; r < data.samples(); r++) {
                int flat = i * data.samples() + r;
                if (!served.test(flat)) {
                    continue;
                }
                if (app == null) {
                    app = new XorAppender();
                    min = data.timestamp(r);
                }
                app.append(data.timestamp(r), data.value(i, r) + (flat == corruptSample ? 0.5 : 0));
                if (app.numSamples() == 120) {
                    s.addChunks(chunk(app, min));
                    app = null;
                }
            }
            if (app != null) {
                s.addChunks(chunk(app, min));
            }
            if (s.getChunksCount() > 0) {
                out.onNext(SeriesResponse.newBuilder().setSeries(s).build());
            }
        }
        out.onCompleted();
    }

    private static AggrChunk chunk(XorAppender app, long min) {
        return AggrChunk.newBuilder().setMinTime(min).setMaxTime(app.lastTimestamp())
            .setRaw(Chunk.newBuilder().setType(Chunk.Encoding.XOR).setData(ByteString.copyFrom(app.bytes())))
            .build();
    }
}
