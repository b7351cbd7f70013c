package io.jreceive.limits;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * The limits in force for remote-write ({@link LimitsConfig}), the write gate, and the head-series check that
 * Thanos makes from a meta-monitoring query and jreceive makes from its own head counts (always current, no query).
 * A file-backed configuration is re-read every {@code reloadMs} ({@code --receive.limits-config-reload-timer}) and
 * replaced when its bytes change; an invalid new file is logged and counted, the old limits stay. Metrics as Thanos:
 * {@code thanos_receive_write_limits{tenant,limit}} and {@code thanos_receive_head_series_limit{tenant}} (tenant ""
 * = default), {@code thanos_receive_write_limits_hit{tenant,limit}} (how far over a refused request was),
 * {@code thanos_receive_head_series_limited_requests_total{tenant}}, and the reload counters; current usage is
 * {@code prometheus_tsdb_head_series{tenant}}.
 */
public final class WriteLimiter implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteLimiter.class);

    private final Path file;
    private final ToLongFunction<String> headSeries;
    private final MeterRegistry registry;
    private final WriteGate gate;
    private final MultiGauge writeLimits;
    private final MultiGauge headLimits;
    private final Counter reloads;
    private final Counter reloadErrors;
    private final ScheduledExecutorService reloader;
    private volatile LimitsConfig config;
    private String loadedText;

    /**
     * @param text       the initial configuration text (from the file or the inline flag)
     * @param file       the file to watch, or null for the inline form
     * @param reloadMs   how often the file is checked
     * @param headSeries a tenant's current head series (0 for a tenant not open yet)
     */
    public WriteLimiter(String text, Path file, long reloadMs, ToLongFunction<String> headSeries,
                        MeterRegistry registry) {
        this.file = file;
        this.headSeries = headSeries;
        this.registry = registry;
        this.config = LimitsConfig.parse(text);
        this.loadedText = text;
        this.gate = new WriteGate(config.maxConcurrency());
        writeLimits = MultiGauge.builder("thanos.receive.write.limits").description("The configured write limits.")
                .register(registry);
        headLimits = MultiGauge.builder("thanos.receive.head.series.limit")
                .description("The configured limit for active (head) series of tenants.").register(registry);
        reloads = Counter.builder("thanos.receive.limits.config.reload")
                .description("How many times the limit configuration was reloaded").register(registry);
        reloadErrors = Counter.builder("thanos.receive.limits.config.reload.err")
                .description("How many times the limit configuration failed to reload.").register(registry);
        publish(config);
        if (file != null) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "limits-reload");
                t.setDaemon(true);
                return t;
            });
            reloader.scheduleWithFixedDelay(this::reload, reloadMs, reloadMs, TimeUnit.MILLISECONDS);
        } else {
            reloader = null;
        }
    }

    public LimitsConfig config() {
        return config;
    }

    public WriteGate gate() {
        return gate;
    }

    /** The request limits of {@code tenant}. */
    public LimitsConfig.TenantLimits limits(String tenant) {
        return config.forTenant(tenant);
    }

    /** True (and counted) when {@code tenant}'s head holds at least its head series limit. */
    public boolean aboveHeadSeries(String tenant) {
        long limit = config.forTenant(tenant).headSeries();
        if (limit <= 0 || headSeries.applyAsLong(tenant) < limit) {
            return false;
        }
        registry.counter("thanos.receive.head.series.limited.requests", "tenant", tenant).increment();
        return true;
    }

    /** Records a refused request: {@code limit} is {@code size_bytes_limit}, {@code series_limit} or {@code samples_limit}. */
    public void hit(String tenant, String limit, long over) {
        DistributionSummary.builder("thanos.receive.write.limits.hit")
                .description("Summary of how much beyond the limit a refused remote write request was.")
                .tags("tenant", tenant, "limit", limit).register(registry).record(over);
    }

    /** Re-reads the file; replaces the limits when its text changed and parses. */
    void reload() {
        String text;
        try {
            text = io.jreceive.config.PathOrContent.expandEnv(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            reloadErrors.increment();
            LOG.error("limits config: reading {} failed, keeping the current limits: {}", file, e.toString());
            return;
        }
        if (text.equals(loadedText)) {
            return;
        }
        loadedText = text;
        try {
            LimitsConfig next = LimitsConfig.parse(text);
            config = next;
            gate.capacity(next.maxConcurrency());
            publish(next);
            reloads.increment();
            LOG.info("limits config reloaded from {}", file);
        } catch (IllegalArgumentException e) {
            reloadErrors.increment();
            LOG.error("limits config: {} is invalid, keeping the current limits: {}", file, e.getMessage());
        }
    }

    private void publish(LimitsConfig c) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        List<MultiGauge.Row<?>> heads = new ArrayList<>();
        add(rows, heads, "", c.defaults());
        for (Map.Entry<String, LimitsConfig.TenantLimits> e : c.tenants().entrySet()) {
            add(rows, heads, e.getKey(), e.getValue());
        }
        writeLimits.register(rows, true);
        headLimits.register(heads, true);
    }

    private static void add(List<MultiGauge.Row<?>> rows, List<MultiGauge.Row<?>> heads, String tenant,
                            LimitsConfig.TenantLimits l) {
        rows.add(MultiGauge.Row.of(Tags.of("tenant", tenant, "limit", "size_bytes_limit"), l.sizeBytes()));
        rows.add(MultiGauge.Row.of(Tags.of("tenant", tenant, "limit", "series_limit"), l.series()));
        rows.add(MultiGauge.Row.of(Tags.of("tenant", tenant, "limit", "samples_limit"), l.samples()));
        heads.add(MultiGauge.Row.of(Tags.of("tenant", tenant), l.headSeries()));
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
