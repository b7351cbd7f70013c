package io.jreceive.ring.replication;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.head.AppendStats;
import io.jreceive.head.Head;
import io.jreceive.head.SeriesError;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RoutedWriteException;
import io.jreceive.ingest.TenantUnavailableException;
import io.jreceive.ingest.TenantWriter;
import io.jreceive.ingest.WriteRouter;
import io.jreceive.ring.Endpoint;
import io.jreceive.ring.Hashrings;
import io.jreceive.ring.InsufficientNodesException;
import io.jreceive.ring.Mode;
import io.jreceive.ring.Placement;
import io.jreceive.ring.SeriesHash;
import io.jreceive.wal.WalOverloadedException;

/**
 * Thanos' distribution of a write ({@code handler.go fanoutForward}): every series is hashed once
 * ({@link SeriesHash}), each replica index is placed on an endpoint, and series bound for peers are grouped per
 * (endpoint, replica index): one forwarded {@code thanos.WriteRequest} with {@code replica = index + 1} per group, as
 * Thanos sends them. The series placed on this node, of any replica index, make one local write (in-process, through
 * the storage's {@link TenantWriter}); Thanos writes one per index, but the copy stored is the same. A fresh request (replica 0) writes replica
 * indexes {@code 0..RF-1} and needs a quorum per series ({@link Fanout#quorum}); a request already replicated (replica
 * {@code r > 0}, honoured only in router-ingestor mode) writes index {@code r - 1} and needs one success. The
 * answer comes once every series reached quorum, or once every write has answered (bounded by the forward
 * deadline); local writes count once durable in the WAL, forwards once the peer answered OK (it, too, answers once
 * durable). The ring is read per request from {@code ring}, so a ring change takes effect without any flush.
 */
public final class Router implements WriteRouter {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    static final String REPLICA_TOO_HIGH = "request replica exceeds receiver replication factor";

    private final Mode mode;
    private final Supplier<Hashrings> ring;
    private final String localEndpoint;
    private final int replicationFactor;
    private final TenantWriter local;
    private final PeerClients peers;

    /** Per thread: the hasher, the local append context and the sub-batch of local series. */
    private static final class Scratch {
        final SeriesHash hash = new SeriesHash();
        final Head.AppendContext append = new Head.AppendContext();
        final WriteBatch sub = new WriteBatch();
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A group of series bound for one endpoint as one replica index, or (index -1) the series this node stores, of
     * whichever replica index: the local storage gets one write per request, as its copy is the same for every index.
     */
    private static final class Group {
        final Endpoint endpoint;
        final int index;
        int[] series;
        int count;
        /** Whether {@link #series} is strictly increasing (each series at most once, in batch order). */
        boolean increasing = true;

        Group(Endpoint endpoint, int index, int expected) {
            this.endpoint = endpoint;
            this.index = index;
            this.series = new int[Math.max(16, expected)];
        }

        void add(int s) {
            if (count == series.length) {
                series = java.util.Arrays.copyOf(series, count * 2);
            }
            if (count > 0 && series[count - 1] >= s) {
                increasing = false;
            }
            series[count++] = s;
        }
    }

    /** A request's series grouped: the local group (possibly empty) and one group per (peer, replica index). */
    private record Routing(Group local, List<Group> forwards) {
    }

    /**
     * Places every series of {@code batch}: replica indexes {@code first .. first + copies - 1} of each, grouped.
     * A loop of its own, so that the JIT compiles it (and replaces it on the stack) apart from {@link #write}.
     */
    private Routing route(String tenant, WriteBatch batch, int first, int copies, Scratch sc) {
        Placement placement = ring.get().placement(tenant);
        List<Endpoint> endpoints = placement.endpoints();
        int e = endpoints.size();
        int n = batch.seriesCount();
        boolean[] isLocal = new boolean[e];
        Endpoint localEndpoint = null;
        for (int i = 0; i < e; i++) {
            isLocal[i] = isLocal(endpoints.get(i));
            if (isLocal[i] && localEndpoint == null) {
                localEndpoint = endpoints.get(i);
            }
        }
        Group local = new Group(localEndpoint, -1, localEndpoint == null ? 0 : n);
        List<Group> forwards = new ArrayList<>();
        // The group of replica k on endpoint i is byReplica[k * e + i]: no key object or map lookup per series.
        Group[] byReplica = new Group[copies * e];
        // Per request, not per thread: a new thread's first request (the gRPC executor's threads come and go)
        // would take a growth branch the JIT had seen untaken, and throw the compiled routing away.
        int[] at = new int[copies];
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        int expected = n / Math.max(1, e) + n / Math.max(1, 4 * e);
        for (int s = 0; s < n; s++) {
            placement.endpointIndexes(sc.hash.of(t, batch, s), first, copies, at);
            for (int k = 0; k < copies; k++) {
                int i = at[k];
                if (isLocal[i]) {
                    local.add(s);
                    continue;
                }
                int slot = k * e + i;
                Group g = byReplica[slot];
                if (g == null) {
                    g = new Group(endpoints.get(i), first + k, expected);
                    byReplica[slot] = g;
                    forwards.add(g);
                }
                g.add(s);
            }
        }
        return new Routing(local, forwards);
    }

    /**
     * @param ring          the current hashrings; null placement (IngestorOnly) means every series is local
     * @param localEndpoint {@code --receive.local-endpoint}, compared with endpoints' address and Cap'n Proto address
     * @param local         the local storage; null in router-only mode
     */
    public Router(Mode mode, Supplier<Hashrings> ring, String localEndpoint, int replicationFactor,
                  TenantWriter local, PeerClients peers) {
        this.mode = mode;
        this.ring = ring;
        this.localEndpoint = localEndpoint == null ? "" : localEndpoint;
        this.replicationFactor = replicationFactor;
        this.local = local;
        this.peers = peers;
    }

    @Override
    public CompletableFuture<Void> write(String tenant, long replica, WriteBatch batch) {
        if (mode != Mode.ROUTER_INGESTOR) {
            replica = 0;
        }
        if (replica < 0 || replica > replicationFactor) {
            return CompletableFuture.failedFuture(new RoutedWriteException(400, REPLICA_TOO_HIGH));
        }
        if (mode == Mode.INGESTOR_ONLY) {
            return writeAllLocally(tenant, batch);
        }
        final int first = replica == 0 ? 0 : (int) replica - 1;
        final int copies = replica == 0 ? replicationFactor : 1;
        final int quorum = replica == 0 ? Fanout.quorum(replicationFactor) : 1;
        final Scratch sc = SCRATCH.get();
        final Routing routing;
        try {
            routing = route(tenant, batch, first, copies, sc);
        } catch (IllegalStateException | InsufficientNodesException e) {
            return CompletableFuture.failedFuture(new RoutedWriteException(500, e.getMessage()));
        }
        final String dropped = droppedMessage(batch);
        final Group local = routing.local;
        Fanout fanout = new Fanout(batch.seriesCount(), copies, quorum,
                routing.forwards.size() + (local.count > 0 ? 1 : 0));
        // Forwards first, so that the peers work while this node appends its own copy.
        for (Group g : routing.forwards) {
            byte[] body = ForwardEncoder.encode(tenant, g.index + 1, batch, g.series, g.count);
            peers.forward(g.endpoint, body).whenComplete((f, err) -> fanout.done(g.series, g.count, err != null
                    ? new Failure(Failure.Kind.INTERNAL, err.toString()) : f));
        }
        if (local.count > 0) {
            writeLocally(tenant, batch, local, sc).whenComplete((f, err) -> fanout.done(local.series, local.count,
                    err != null ? new Failure(Failure.Kind.INTERNAL, err.toString()) : f));
        }
        if (dropped == null) {
            return fanout.result;
        }
        // Series the decoder dropped as invalid were never routed: the rest is written, the answer is a conflict.
        return fanout.result.thenCompose(ok -> CompletableFuture.failedFuture(new RoutedWriteException(409, dropped)));
    }

    /** The conflict text for series dropped while decoding (invalid labels), or null when there were none. */
    private static String droppedMessage(WriteBatch batch) {
        int[] dropped = new int[SeriesError.values().length];
        batch.countDropped(dropped);
        List<String> parts = new ArrayList<>();
        for (SeriesError e : SeriesError.values()) {
            if (dropped[e.ordinal()] > 0) {
                parts.add("add " + dropped[e.ordinal()] + " series: " + e.message());
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : parts.size() + " errors: " + String.join("; ", parts);
    }

    private boolean isLocal(Endpoint e) {
        return mode == Mode.ROUTER_INGESTOR
                && (e.address().equals(localEndpoint) || e.capnprotoAddress().equals(localEndpoint));
    }

    /** IngestorOnly: Thanos' single-node ring, every series here; RF above 1 cannot be met. */
    private CompletableFuture<Void> writeAllLocally(String tenant, WriteBatch batch) {
        if (replicationFactor > 1) {
            return CompletableFuture.failedFuture(new RoutedWriteException(500,
                    new InsufficientNodesException(1, 2).getMessage()));
        }
        Scratch sc = SCRATCH.get();
        int n = batch.seriesCount();
        Group all = new Group(null, -1, n);
        for (int s = 0; s < n; s++) {
            all.add(s);
        }
        Fanout fanout = new Fanout(n, 1, 1, 1);
        writeLocally(tenant, batch, all, sc).whenComplete((f, err) -> fanout.done(all.series, all.count,
                err != null ? new Failure(Failure.Kind.INTERNAL, err.toString()) : f));
        return fanout.result;
    }

    /**
     * Appends the group's series to the local storage now (the batch is only valid during the call) and completes
     * once they are durable: null, or a conflict (valid samples are still written, as Thanos), unavailable (WAL
     * overloaded, tenant being pruned) or internal failure. A group of every series of a batch without dropped
     * series (a ring no larger than the replication factor, a replicated request) is the batch itself, not a copy.
     */
    private CompletableFuture<Failure> writeLocally(String tenant, WriteBatch batch, Group group, Scratch sc) {
        WriteBatch sub;
        if (group.increasing && group.count == batch.seriesCount() && !batch.hasDropped()) {
            sub = batch;
        } else {
            sub = sc.sub;
            sub.reset(batch.buf());
            for (int i = 0; i < group.count; i++) {
                sub.copySeries(batch, group.series[i], -1);
            }
        }
        CompletableFuture<Void> durable;
        try {
            durable = local.write(tenant, sub, sc.append);
        } catch (RuntimeException e) {
            LOG.error("local append for tenant {} failed", tenant, e);
            return CompletableFuture.completedFuture(new Failure(Failure.Kind.INTERNAL, "add samples: " + e));
        }
        AppendStats st = sc.append.stats;
        final String conflict = st.hasConflicts() ? st.conflictMessage() : null;
        return durable.handle((ok, err) -> {
            if (err == null) {
                return conflict == null ? null : new Failure(Failure.Kind.CONFLICT, conflict);
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof WalOverloadedException || cause instanceof TenantUnavailableException) {
                return new Failure(Failure.Kind.UNAVAILABLE, cause.getMessage());
            }
            return new Failure(Failure.Kind.INTERNAL, "write to WAL: " + cause.getMessage());
        });
    }
}
