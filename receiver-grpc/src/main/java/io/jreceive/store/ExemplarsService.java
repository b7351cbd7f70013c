package io.jreceive.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jreceive.exemplar.ExemplarStorage;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.Exemplar;
import io.jreceive.proto.thanos.ExemplarData;
import io.jreceive.proto.thanos.ExemplarsGrpc;
import io.jreceive.proto.thanos.ExemplarsRequest;
import io.jreceive.proto.thanos.ExemplarsResponse;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.LabelSet;
import io.jreceive.query.Matcher;
import io.jreceive.query.PromqlSelectors;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TenantDb;

/**
 * {@code thanos.Exemplars/Exemplars} over every tenant's exemplar storage, as Thanos Receive serves it
 * ({@code pkg/exemplars/multitsdb.go}, {@code tsdb.go}): the request's PromQL query gives the selectors; for each
 * tenant, selectors whose external-label matchers fail are left out ({@link TenantScope}), a tenant no selector
 * reaches contributes nothing, and one reached only by external-label matchers is an error (Thanos'
 * {@code no matchers specified (excluding external labels)}, answered ABORTED for the tenant as Thanos does). Each
 * series goes out with the tenant's external labels added (they win over a series label of the same name), with
 * its exemplars in {@code [start, end]} milliseconds. Every tenant is served whatever the tenant header: Thanos
 * Receive's exemplars server does not look at it either, and the {@code tenant_id} external label tells tenants
 * apart. A query that does not parse is INTERNAL, as in Thanos.
 */
public final class ExemplarsService extends ExemplarsGrpc.ExemplarsImplBase {
    private final MultiTsdb tsdb;

    public ExemplarsService(MultiTsdb tsdb) {
        this.tsdb = tsdb;
    }

    @Override
    public void exemplars(ExemplarsRequest req, StreamObserver<ExemplarsResponse> responses) {
        List<List<Matcher>> selectors;
        try {
            selectors = PromqlSelectors.extract(req.getQuery());
        } catch (IllegalArgumentException e) {
            responses.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        List<TenantDb> tenants = new ArrayList<>(tsdb.tenants());
        tenants.sort(Comparator.comparing(TenantDb::tenant));
        List<ExemplarsResponse> out = new ArrayList<>();
        for (TenantDb db : tenants) {
            boolean reached = false;
            List<List<Matcher>> local = new ArrayList<>();
            for (List<Matcher> set : selectors) {
                List<Matcher> rest = TenantScope.remaining(db.externalLabels(), set);
                if (rest != null) {
                    reached = true;
                    if (!rest.isEmpty()) {
                        local.add(rest);
                    }
                }
            }
            if (!reached) {
                continue;
            }
            if (local.isEmpty()) {
                responses.onError(Status.ABORTED.withDescription("get exemplars for tenant " + db.tenant()
                        + ": rpc error: code = InvalidArgument desc = no matchers specified (excluding external "
                        + "labels)").asRuntimeException());
                return;
            }
            for (ExemplarStorage.SeriesExemplars se : db.exemplars().select(req.getStart(), req.getEnd(), local)) {
                out.add(ExemplarsResponse.newBuilder().setData(data(se, db.externalLabels())).build());
            }
        }
        // Exemplar answers are small (bounded by --tsdb.max-exemplars per tenant): no flow control needed.
        if (responses instanceof ServerCallStreamObserver<ExemplarsResponse> call && call.isCancelled()) {
            return;
        }
        out.forEach(responses::onNext);
        responses.onCompleted();
    }

    private static ExemplarData data(ExemplarStorage.SeriesExemplars se, Labels external) {
        Labels series = new Labels.Builder().setAll(se.seriesLabels()).setAll(external).build();
        ExemplarData.Builder d = ExemplarData.newBuilder().setSeriesLabels(labelSet(series));
        for (ExemplarStorage.Exemplar e : se.exemplars()) {
            d.addExemplars(Exemplar.newBuilder().setLabels(labelSet(e.labels())).setValue(e.value()).setTs(e.ts()));
        }
        return d.build();
    }

    private static LabelSet labelSet(Labels l) {
        LabelSet.Builder b = LabelSet.newBuilder();
        for (int i = 0; i < l.size(); i++) {
            b.addLabels(Label.newBuilder().setName(l.nameString(i)).setValue(l.valueString(i)));
        }
        return b.build();
    }
}
