package io.jreceive.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jreceive.block.ReadLease;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.InfoRequest;
import io.jreceive.proto.thanos.InfoResponse;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.LabelNamesRequest;
import io.jreceive.proto.thanos.LabelNamesResponse;
import io.jreceive.proto.thanos.LabelValuesRequest;
import io.jreceive.proto.thanos.LabelValuesResponse;
import io.jreceive.proto.thanos.PartialResponseStrategy;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.proto.thanos.StoreType;
import io.jreceive.proto.thanos.ZLabelSet;
import io.jreceive.query.Matcher;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TenantDb;

/**
 * The Thanos StoreAPI over every tenant of a {@link MultiTsdb}: Series, LabelNames, LabelValues and the legacy
 * Store/Info for Query 0.36 and older. Series streams each tenant in final label order ({@link TenantSeries}),
 * merges tenants, and writes frames only while the client's flow-control window is open, resuming from gRPC's
 * on-ready callback, so a slow reader holds one frame in memory rather than the whole answer.
 *
 * <p>Errors map to statuses in {@link #status(RuntimeException)}: bad matchers are INVALID_ARGUMENT, limits
 * RESOURCE_EXHAUSTED, a tenant failing under the ABORT strategy ABORTED, anything else INTERNAL.
 */
public final class StoreService extends StoreGrpc.StoreImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(StoreService.class);

    private final MultiTsdb tsdb;
    private final long maxSeries;
    private final long maxSamples;

    /**
     * @param maxSeries  {@code --store.limits.request-series}: series per Series call, 0 = unlimited
     * @param maxSamples {@code --store.limits.request-samples}: samples per Series call, 0 = unlimited
     */
    public StoreService(MultiTsdb tsdb, long maxSeries, long maxSamples) {
        this.tsdb = tsdb;
        this.maxSeries = maxSeries;
        this.maxSamples = maxSamples;
    }

    private List<TenantDb> tenants() {
        List<TenantDb> out = new ArrayList<>(tsdb.tenants());
        out.sort(Comparator.comparing(TenantDb::tenant));
        return out;
    }

    static List<Matcher> matchers(List<LabelMatcher> in) {
        List<Matcher> out = new ArrayList<>(in.size());
        for (LabelMatcher m : in) {
            Matcher.Type t = switch (m.getType()) {
                case EQ -> Matcher.Type.EQ;
                case NEQ -> Matcher.Type.NEQ;
                case RE -> Matcher.Type.RE;
                case NRE -> Matcher.Type.NRE;
                default -> throw Status.INVALID_ARGUMENT.withDescription("unknown matcher type "
                        + m.getTypeValue()).asRuntimeException();
            };
            try {
                out.add(Matcher.of(t, m.getName(), m.getValue()));
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
        }
        return out;
    }

    /** The one place internal errors become statuses. */
    static StatusRuntimeException status(RuntimeException e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        LOG.warn("store request failed", e);
        return Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).withCause(e).asRuntimeException();
    }

    @Override
    public void series(SeriesRequest req, StreamObserver<SeriesResponse> responses) {
        ServerCallStreamObserver<SeriesResponse> call = (ServerCallStreamObserver<SeriesResponse>) responses;
        ReadLease lease = new ReadLease();
        SeriesFrames frames;
        try {
            frames = plan(req, lease);
        } catch (RuntimeException e) {
            lease.close();
            call.onError(status(e));
            return;
        }
        Pump pump = new Pump(call, frames, lease);
        call.setOnCancelHandler(pump::cancel);
        call.setOnReadyHandler(pump);
        pump.run();
    }

    /** Validates the request and sets up the frame producer; no data is read yet. */
    private SeriesFrames plan(SeriesRequest req, ReadLease lease) {
        List<Matcher> ms = matchers(req.getMatchersList());
        if (ms.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("no matchers specified (excluding selector labels)")
                    .asRuntimeException();
        }
        boolean abort = req.getPartialResponseStrategy() == PartialResponseStrategy.ABORT
                || req.getPartialResponseDisabled();
        ArrayDeque<String> warnings = new ArrayDeque<>();
        Set<String> replicas = Set.copyOf(req.getWithoutReplicaLabelsList());
        long mint = req.getMinTime();
        long maxt = req.getMaxTime();
        List<Iterator<SeriesChunks>> streams = new ArrayList<>();
        for (TenantDb db : tenants()) {
            List<Matcher> rest = TenantScope.remaining(db.externalLabels(), ms);
            if (rest == null) {
                continue;
            }
            if (rest.isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("no matchers specified (excluding external labels)")
                        .asRuntimeException();
            }
            if (db.minTime() > maxt) {
                continue;
            }
            TenantLabels relabel = new TenantLabels(db.externalLabels(), replicas);
            streams.add(new GuardedTenant(db.tenant(), () -> TenantSeries.select(db, lease, rest, mint, maxt, relabel),
                    abort, warnings));
        }
        return new SeriesFrames(() -> new SortedMerge(streams), warnings, req.getSkipChunks(), req.getLimit(),
                req.hasShardInfo() ? req.getShardInfo() : null, maxSeries, maxSamples);
    }

    /**
     * Writes frames while the transport is ready; run first by the handler and then by gRPC's on-ready callback,
     * both on the call's serializing executor, so it never runs twice at once and holds no lock while writing. The
     * cancel handler runs on that executor too, so releasing the blocks there never races with a read. A stream
     * whose client stalls keeps its blocks mapped until it ends: completed, failed, cancelled by the client, or
     * cancelled by the server's shutdown after the grace period.
     */
    private static final class Pump implements Runnable {
        private final ServerCallStreamObserver<SeriesResponse> call;
        private final SeriesFrames frames;
        private final ReadLease lease;
        private boolean done;
        private volatile boolean cancelled;

        Pump(ServerCallStreamObserver<SeriesResponse> call, SeriesFrames frames, ReadLease lease) {
            this.call = call;
            this.frames = frames;
            this.lease = lease;
        }

        void cancel() {
            cancelled = true;
            done = true;
            lease.close();
        }

        @Override
        public void run() {
            if (done) {
                return;
            }
            try {
                while (call.isReady()) {
                    if (cancelled) {
                        done = true;
                        lease.close();
                        return;
                    }
                    SeriesResponse r = frames.next();
                    if (r == null) {
                        done = true;
                        lease.close();
                        call.onCompleted();
                        return;
                    }
                    call.onNext(r);
                }
            } catch (RuntimeException e) {
                done = true;
                lease.close();
                if (!cancelled) {
                    call.onError(status(e));
                }
            }
        }
    }

    @Override
    public void labelNames(LabelNamesRequest req, StreamObserver<LabelNamesResponse> responses) {
        try {
            List<Matcher> ms = matchers(req.getMatchersList());
            Set<String> replicas = Set.copyOf(req.getWithoutReplicaLabelsList());
            boolean abort = req.getPartialResponseStrategy() == PartialResponseStrategy.ABORT
                    || req.getPartialResponseDisabled();
            TreeSet<byte[]> names = LabelQueries.newSet();
            LabelNamesResponse.Builder b = LabelNamesResponse.newBuilder();
            try (ReadLease lease = new ReadLease()) {
                for (TenantDb db : tenants()) {
                    List<Matcher> rest = TenantScope.remaining(db.externalLabels(), ms);
                    if (rest == null) {
                        continue;
                    }
                    try {
                        LabelQueries.names(db, lease, rest, req.getStart(), req.getEnd(), replicas, names);
                    } catch (RuntimeException e) {
                        tenantFailed(db, e, abort, b::addWarnings);
                    }
                }
            }
            addLimited(names, req.getLimit(), b::addNames);
            responses.onNext(b.build());
            responses.onCompleted();
        } catch (RuntimeException e) {
            responses.onError(status(e));
        }
    }

    @Override
    public void labelValues(LabelValuesRequest req, StreamObserver<LabelValuesResponse> responses) {
        try {
            if (req.getLabel().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("label name parameter cannot be empty")
                        .asRuntimeException();
            }
            List<Matcher> ms = matchers(req.getMatchersList());
            Set<String> replicas = Set.copyOf(req.getWithoutReplicaLabelsList());
            boolean abort = req.getPartialResponseStrategy() == PartialResponseStrategy.ABORT
                    || req.getPartialResponseDisabled();
            TreeSet<byte[]> values = LabelQueries.newSet();
            LabelValuesResponse.Builder b = LabelValuesResponse.newBuilder();
            try (ReadLease lease = new ReadLease()) {
                for (TenantDb db : tenants()) {
                    List<Matcher> rest = TenantScope.remaining(db.externalLabels(), ms);
                    if (rest == null) {
                        continue;
                    }
                    try {
                        LabelQueries.values(db, lease, req.getLabel(), rest, req.getStart(), req.getEnd(), replicas,
                                values);
                    } catch (RuntimeException e) {
                        tenantFailed(db, e, abort, b::addWarnings);
                    }
                }
            }
            addLimited(values, req.getLimit(), b::addValues);
            responses.onNext(b.build());
            responses.onCompleted();
        } catch (RuntimeException e) {
            responses.onError(status(e));
        }
    }

    private static void tenantFailed(TenantDb db, RuntimeException e, boolean abort,
                                     java.util.function.Consumer<String> warn) {
        String msg = "tenant " + db.tenant() + ": " + e.getMessage();
        if (abort) {
            throw Status.ABORTED.withDescription(msg).withCause(e).asRuntimeException();
        }
        warn.accept(msg);
    }

    private static void addLimited(TreeSet<byte[]> set, long limit, java.util.function.Consumer<String> add) {
        long n = 0;
        for (byte[] v : set) {
            if (limit > 0 && n++ >= limit) {
                break;
            }
            add.accept(new String(v, StandardCharsets.UTF_8));
        }
    }

    /**
     * The legacy {@code thanos.Store/Info} (removed in Thanos 0.37, kept for Query 0.36 and older): RECEIVE, one
     * label set per tenant, min time the oldest data held, max time unbounded; both 0 with no tenants.
     */
    @Override
    public void info(InfoRequest req, StreamObserver<InfoResponse> responses) {
        InfoResponse.Builder b = InfoResponse.newBuilder().setStoreType(StoreType.RECEIVE);
        List<TenantDb> ts = tenants();
        if (ts.isEmpty()) {
            b.setMinTime(0).setMaxTime(0);
        } else {
            long min = Long.MAX_VALUE;
            for (TenantDb db : ts) {
                min = Math.min(min, db.minTime());
            }
            b.setMinTime(min).setMaxTime(Long.MAX_VALUE);
            for (Labels l : InfoService.labelSets(ts)) {
                b.addLabelSets(labelSet(l));
            }
        }
        responses.onNext(b.build());
        responses.onCompleted();
    }

    static ZLabelSet labelSet(Labels l) {
        ZLabelSet.Builder b = ZLabelSet.newBuilder();
        for (int i = 0; i < l.size(); i++) {
            b.addLabels(Label.newBuilder().setName(l.nameString(i)).setValue(l.valueString(i)));
        }
        return b.build();
    }
}
