package io.jreceive.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.info.ExemplarsInfo;
import io.jreceive.proto.thanos.info.InfoGrpc;
import io.jreceive.proto.thanos.info.InfoRequest;
import io.jreceive.proto.thanos.info.InfoResponse;
import io.jreceive.proto.thanos.info.StoreInfo;
import io.jreceive.proto.thanos.info.TSDBInfo;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TenantDb;

/**
 * {@code thanos.info.Info/Info}, which Thanos Query 0.37+ calls to discover the receiver (it has no fallback): a
 * {@code receive} component exposing the StoreAPI (sharding and {@code without_replica_labels} supported) over one
 * label set per tenant, and the Exemplars API ({@link ExemplarsService}) as an empty {@code ExemplarsInfo}: min and
 * max time 0, as Thanos Receive v0.38 announces it ({@code info.WithExemplarsInfoFunc()} without a function).
 * Answers {@code UNKNOWN "Not ready"} until the storage is ready, so Query keeps the endpoint unhealthy meanwhile.
 */
public final class InfoService extends InfoGrpc.InfoImplBase {
    private final MultiTsdb tsdb;

    public InfoService(MultiTsdb tsdb) {
        this.tsdb = tsdb;
    }

    /** The tenants' external label sets, deduplicated, in tenant order. */
    static List<Labels> labelSets(Collection<TenantDb> tenants) {
        LinkedHashSet<Labels> sets = new LinkedHashSet<>();
        for (TenantDb db : tenants) {
            sets.add(db.externalLabels());
        }
        return new ArrayList<>(sets);
    }

    @Override
    public void info(InfoRequest req, StreamObserver<InfoResponse> responses) {
        if (!tsdb.ready()) {
            responses.onError(Status.UNKNOWN.withDescription("Not ready").asRuntimeException());
            return;
        }
        List<TenantDb> tenants = new ArrayList<>(tsdb.tenants());
        tenants.sort(Comparator.comparing(TenantDb::tenant));
        long min = Long.MIN_VALUE;
        StoreInfo.Builder store = StoreInfo.newBuilder().setMaxTime(Long.MAX_VALUE).setSupportsSharding(true)
                .setSupportsWithoutReplicaLabels(true);
        if (!tenants.isEmpty()) {
            min = Long.MAX_VALUE;
            for (TenantDb db : tenants) {
                long t = db.minTime();
                min = Math.min(min, t);
                store.addTsdbInfos(TSDBInfo.newBuilder().setLabels(StoreService.labelSet(db.externalLabels()))
                        .setMinTime(t).setMaxTime(Long.MAX_VALUE));
            }
        }
        store.setMinTime(min);
        InfoResponse.Builder b = InfoResponse.newBuilder().setComponentType("receive").setStore(store)
                .setExemplars(ExemplarsInfo.getDefaultInstance());
        for (Labels l : labelSets(tenants)) {
            b.addLabelSets(StoreService.labelSet(l));
        }
        responses.onNext(b.build());
        responses.onCompleted();
    }
}
