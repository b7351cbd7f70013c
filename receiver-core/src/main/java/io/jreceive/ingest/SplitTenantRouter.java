package io.jreceive.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.jreceive.head.WriteBatch;

/**
 * {@code --receive.split-tenant-label-name}, as Thanos v0.38's {@code distributeTimeseriesToReplicas}: a series that
 * carries the label (non-empty) belongs to the tenant its value names, not to the request's tenant, and the label is
 * removed from it; series without it stay with the request's tenant. Applied after the limits and the relabel rules
 * (which see the request's tenant and the label), before routing, to HTTP and gRPC writes alike. Each tenant's part
 * goes to the wrapped router; the request succeeds when every part does, otherwise it is answered with the most
 * urgent failure (a 5xx, which the sender retries: parts already stored are then duplicates, which are ignored;
 * else the first 4xx). A label value that is not a valid tenant name (see {@link Tenants}) fails the request with
 * 400 {@code Tenant name not valid} before anything is stored.
 *
 * <p>Parts point into the request's decoded bytes (no copy) and carry the series' labels, float samples, native
 * histograms and exemplars; only requests in which some series carries the label are split, the others go on
 * whole. In ingestor-only mode the parts go to a {@link LocalWriteRouter}, in a hashring to the ring's router.
 */
public final class SplitTenantRouter implements WriteRouter {
    private final WriteRouter delegate;
    private final byte[] label;

    public SplitTenantRouter(WriteRouter delegate, String labelName) {
        this.delegate = delegate;
        this.label = labelName.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<Void> write(String tenant, long replica, WriteBatch batch) {
        Map<String, WriteBatch> parts = split(batch, tenant);
        if (parts == null) {
            return delegate.write(tenant, replica, batch);
        }
        for (String t : parts.keySet()) {
            if (!Tenants.valid(t)) {
                return CompletableFuture.failedFuture(new RoutedWriteException(400, "Tenant name not valid"));
            }
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>(parts.size());
        for (Map.Entry<String, WriteBatch> e : parts.entrySet()) {
            CompletableFuture<Void> w;
            try {
                w = delegate.write(e.getKey(), replica, e.getValue());
            } catch (RuntimeException ex) {
                w = CompletableFuture.failedFuture(ex);
            }
            writes.add(w);
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ok, err) -> {
            if (err == null) {
                return null;
            }
            throw new CompletionException(worst(writes));
        });
    }

    /** The failure to answer with: the first 5xx (or non-routed error), else the first 4xx. */
    private static Throwable worst(List<CompletableFuture<Void>> writes) {
        Throwable first = null;
        for (CompletableFuture<Void> w : writes) {
            Throwable t = w.handle((ok, err) -> err).join();
            if (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t == null) {
                continue;
            }
            if (!(t instanceof RoutedWriteException rw) || rw.status() >= 500) {
                return t;
            }
            if (first == null) {
                first = t;
            }
        }
        return first;
    }

    /**
     * The request's series by tenant, each part without the split label, the request tenant's part first (it takes
     * the counts of the series the decoder dropped); null when no series carries the label, so the request goes on
     * whole.
     */
    Map<String, WriteBatch> split(WriteBatch in, String requestTenant) {
        final int n = in.seriesCount();
        final byte[] buf = in.buf();
        String[] tenantOf = null;
        int[] labelAt = null;
        for (int s = 0; s < n; s++) {
            int l0 = in.labelStart(s);
            for (int l = l0; l < l0 + in.labelCount(s); l++) {
                if (in.valueLen(l) > 0 && Arrays.equals(buf, in.nameOff(l), in.nameOff(l) + in.nameLen(l), label, 0,
                        label.length)) {
                    if (tenantOf == null) {
                        tenantOf = new String[n];
                        labelAt = new int[n];
                        Arrays.fill(labelAt, -1);
                    }
                    tenantOf[s] = new String(buf, in.valueOff(l), in.valueLen(l), StandardCharsets.UTF_8);
                    labelAt[s] = l;
                    break;
                }
            }
        }
        if (tenantOf == null) {
            return null;
        }
        Map<String, WriteBatch> parts = new LinkedHashMap<>();
        for (int s = 0; s < n; s++) {
            String t = tenantOf[s] == null ? requestTenant : tenantOf[s];
            WriteBatch part = parts.get(t);
            if (part == null) {
                part = new WriteBatch();
                part.reset(buf);
                if (parts.isEmpty()) {
                    part.carryDropped(in);
                }
                parts.put(t, part);
            }
            int ps = part.copySeries(in, s, labelAt[s]);
            part.endSeries(ps);
        }
        return parts;
    }
}
