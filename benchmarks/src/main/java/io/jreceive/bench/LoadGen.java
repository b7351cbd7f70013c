package io.jreceive.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The remote-write load generator: writes {@code --series} × {@code --samples} samples to any remote-write 1.0 or
 * 2.0 endpoint as a Prometheus queue with {@code --concurrency} shards would, and reports throughput, request
 * latency and errors; optionally reads everything back through a Thanos StoreAPI ({@code --verify-grpc}).
 *
 * <p>All requests are encoded ({@link WritePlan}) before the clock starts, then sent by {@link RemoteWriteSender};
 * {@link StoreVerifier} does the read-back. Exit status 0 means every request was acknowledged (and, with
 * {@code --verify-grpc}, read back exactly); 1 means errors; 2 a usage error.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.jreceive.bench.LoadGen \
 *     --url http://127.0.0.1:19291/api/v1/receive --series 10000 --samples 120 --concurrency 8
 * </pre>
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Drives a remote-write endpoint with N series x M samples, sent as Prometheus' queue shards send.")
public final class LoadGen implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "Remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write")
    URI url;

    @Option(names = "--series", defaultValue = "1000", description = "Number of series (default ${DEFAULT-VALUE}).")
    int series;

    @Option(names = "--samples", defaultValue = "10", description = "Samples per series (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch", defaultValue = "2000",
        description = "Samples per request, Prometheus max_samples_per_send (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "8",
        description = "Shards: parallel connections, each sending in order (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--tenants", defaultValue = "0",
        description = "Spread series over K tenants sent as THANOS-TENANT tenant-<k>; 0 sends no header (default ${DEFAULT-VALUE}).")
    int tenants;

    @Option(names = "--protocol", defaultValue = "1", description = "Remote write 1 (1.0) or 2 (2.0) (default ${DEFAULT-VALUE}).")
    int protocol;

    @Option(names = "--start-ms",
        description = "First timestamp in ms (default: now - samples x interval, rounded down to the interval).")
    Long startMs;

    @Option(names = "--interval-ms", defaultValue = "15000", description = "Distance between samples (default ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--label-count", defaultValue = "5",
        description = "Labels per series besides __name__: instance, job, cluster, namespace, pod, ... (default ${DEFAULT-VALUE}).")
    int labelCount;

    @Option(names = "--max-retries", defaultValue = "10",
        description = "Retries of a request after 5xx/429/I/O errors before it counts as failed (default ${DEFAULT-VALUE}).")
    int maxRetries;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "Per-attempt HTTP timeout (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--user-agent", defaultValue = "jreceive-loadgen/0.1.0",
        description = "User-Agent header (default ${DEFAULT-VALUE}).")
    String userAgent;

    @Option(names = "--verify-grpc",
        description = "host:port of a Thanos StoreAPI; after the load, read everything back and compare.")
    String verifyGrpc;

    @Option(names = "--verify-timeout-ms", defaultValue = "300000",
        description = "Deadline of the read-back Series call (default ${DEFAULT-VALUE}).")
    long verifyTimeoutMs;

    @Option(names = "--warmup", paramLabel = "SERIESxSAMPLES",
        description = "Before the measured load, send this many other series (one label more each, so they never "
            + "collide with the measured ones) through the same client; not measured, but it must be acknowledged. "
            + "It warms up server and load generator alike, e.g. 2000x100.")
    String warmup;

    @Option(names = "--warmup-settle-ms", defaultValue = "2000",
        description = "Idle time between the warm-up and the measured load, so the server finishes what the warm-up "
            + "started (JIT compilation, collections, WAL syncs) before the clock runs (default ${DEFAULT-VALUE}).")
    long warmupSettleMs;

    @Option(names = "--server-pid", paramLabel = "PID",
        description = "Linux: report the CPU seconds process PID (the server, on this machine) spent during the "
            + "measured load, read from /proc/PID/stat right before and after it. Repeatable: the processes' sum "
            + "(e.g. the nodes of a ring).")
    List<Long> serverPids;

    @Option(names = "--latency-log", paramLabel = "FILE",
        description = "Write every attempt as CSV (shard, start_ms from the start signal, latency_ms, status) to FILE.")
    Path latencyLog;

    @Option(names = "--histogram-buckets", defaultValue = "0", paramLabel = "N",
        description = "Send each sample as an integer native histogram with N positive buckets (exponential schema 3) "
            + "instead of a float; 0 sends floats (default ${DEFAULT-VALUE}).")
    int histogramBuckets;

    @Option(names = "--out-of-order-every", defaultValue = "0", paramLabel = "N",
            description = "Send one sample in N of each series after its successor, one interval older than the "
                    + "series' newest (10: about 10 %% out of order; needs an out-of-order window on the receiver); "
                    + "0 = in order (default). The warm-up stays in order.")
    int outOfOrderEvery;

    @Option(names = "--json", description = "Print one JSON object instead of a text report.")
    boolean json;

    private final PrintStream out;

    LoadGen(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, args));
    }

    /** Runs the command line {@code args}, printing to {@code out}; returns the exit status. */
    public static int execute(PrintStream out, String... args) {
        return new CommandLine(new LoadGen(out)).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        long start = startMs != null ? startMs : LoadConfig.defaultStart(System.currentTimeMillis(), samples, intervalMs);
        LoadConfig config;
        try {
            config = new LoadConfig(url, series, samples, batch, concurrency, tenants, protocol, start, intervalMs,
                labelCount, maxRetries, timeoutMs, userAgent, verifyGrpc, json, histogramBuckets);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            return 2;
        }
        LoadConfig warm;
        try {
            warm = warmupConfig(config, warmup, System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            return 2;
        }
        Map<String, Object> report = run(config, warm, warmupSettleMs, verifyTimeoutMs, latencyLog, serverPids,
                outOfOrderEvery);
        if (config.json()) {
            out.println(toJson(report));
        } else {
            printText(report);
        }
        return Boolean.TRUE.equals(report.get("ok")) ? 0 : 1;
    }

    /** Encodes, sends and optionally verifies; returns the report as ordered key/value pairs. */
    /**
     * The warm-up load for {@code spec} ("SERIESxSAMPLES", null for none): the measured load's settings with one label
     * more per series and its own default start, so its series and samples never touch the measured ones.
     */
    static LoadConfig warmupConfig(LoadConfig c, String spec, long nowMs) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        String[] p = spec.trim().split("x");
        int ws;
        int wn;
        try {
            ws = Integer.parseInt(p[0]);
            wn = p.length == 2 ? Integer.parseInt(p[1]) : -1;
        } catch (NumberFormatException e) {
            wn = -1;
            ws = -1;
        }
        if (ws < 1 || wn < 1) {
            throw new IllegalArgumentException("--warmup must be SERIESxSAMPLES with positive numbers, got " + spec);
        }
        return new LoadConfig(c.url(), ws, wn, c.batch(), c.concurrency(), c.tenants(), c.protocol(),
            LoadConfig.defaultStart(nowMs, wn, c.intervalMs()), c.intervalMs(), c.labelCount() + 1, c.maxRetries(),
            c.timeoutMs(), c.userAgent(), null, c.json(), c.histogramBuckets());
    }

    static Map<String, Object> run(LoadConfig config, LoadConfig warm, long settleMs, long verifyTimeoutMs,
                                   Path latencyLog, List<Long> serverPids) throws InterruptedException, IOException {
        return run(config, warm, settleMs, verifyTimeoutMs, latencyLog, serverPids, 0);
    }

    /** As above, with one sample in {@code outOfOrderEvery} of each series sent out of order (0: none). */
    static Map<String, Object> run(LoadConfig config, LoadConfig warm, long settleMs, long verifyTimeoutMs,
                                   Path latencyLog, List<Long> serverPids, int outOfOrderEvery)
            throws InterruptedException, IOException {
        SendResult warmed = null;
        if (warm != null) {
            warmed = new RemoteWriteSender(warm).send(WritePlan.build(warm.data(), warm.batch(), warm.protocol()));
        }
        long settleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warm == null ? 0 : settleMs);
        SyntheticSeries data = config.data().withOutOfOrderEvery(outOfOrderEvery);
        long e0 = System.nanoTime();
        WritePlan plan = WritePlan.build(data, config.batch(), config.protocol());
        double encodeSeconds = (System.nanoTime() - e0) / 1e9;
        long idle = settleUntil - System.nanoTime();
        if (idle > 0) {
            TimeUnit.NANOSECONDS.sleep(idle);
        }

        double serverCpu0 = serverPids == null ? 0 : processCpuSeconds(serverPids);
        SendResult sent = new RemoteWriteSender(config).send(plan);
        double serverCpu = serverPids == null ? Double.NaN : processCpuSeconds(serverPids) - serverCpu0;
        if (latencyLog != null) {
            writeLatencyLog(latencyLog, sent.attempts());
        }

        VerifyResult verified = null;
        if (config.verifyGrpc() != null) {
            ManagedChannel ch = Grpc.newChannelBuilder(config.verifyGrpc(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(StoreVerifier.MAX_MESSAGE_BYTES)
                .build();
            try {
                verified = new StoreVerifier(data, verifyTimeoutMs).verify(ch, sent.acknowledged());
            } finally {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        Map<String, Object> report = report(config, plan, encodeSeconds, sent, verified);
        if (serverPids != null) {
            report.put("server_cpu_seconds", serverCpu);
        }
        if (warmed != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("series", warm.series());
            w.put("samples_per_series", warm.samples());
            w.put("samples_acknowledged", warmed.samplesAcknowledged());
            w.put("requests_failed", warmed.requestsFailed());
            w.put("wall_seconds", warmed.wallNanos() / 1e9);
            report.put("warmup", w);
            boolean warmOk = warmed.requestsFailed() == 0 && warmed.writtenMismatches() == 0
                && warmed.samplesAcknowledged() == warm.data().totalSamples();
            report.put("ok", Boolean.TRUE.equals(report.get("ok")) && warmOk);
        }
        return report;
    }

    /** utime + stime of the processes, summed. */
    static double processCpuSeconds(List<Long> pids) throws IOException {
        double sum = 0;
        for (long pid : pids) {
            sum += processCpuSeconds(pid);
        }
        return sum;
    }

    /** utime + stime of a process from {@code /proc/PID/stat}, in seconds (USER_HZ is 100 on Linux). */
    static double processCpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    private static void writeLatencyLog(Path file, List<SendResult.Attempt> attempts) throws IOException {
        StringBuilder sb = new StringBuilder("shard,start_ms,latency_ms,status\n");
        for (SendResult.Attempt a : attempts) {
            sb.append(a.shard()).append(',').append(String.format(Locale.ROOT, "%.3f,%.3f", a.startNanos() / 1e6,
                a.latencyNanos() / 1e6)).append(',').append(a.status()).append('\n');
        }
        Files.writeString(file, sb);
    }

    static Map<String, Object> report(LoadConfig c, WritePlan plan, double encodeSeconds, SendResult s,
                                      VerifyResult v) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("url", c.url().toString());
        r.put("protocol", c.protocol());
        r.put("series", c.series());
        r.put("samples_per_series", c.samples());
        r.put("batch", c.batch());
        r.put("concurrency", c.concurrency());
        r.put("tenants", c.tenants());
        r.put("label_count", c.labelCount());
        r.put("start_ms", c.startMs());
        r.put("interval_ms", c.intervalMs());
        r.put("histogram_buckets", c.histogramBuckets());
        r.put("requests", plan.requests());
        r.put("encoded_bytes", plan.encodedBytes());
        r.put("encode_seconds", encodeSeconds);
        r.put("samples_sent", plan.data().totalSamples());
        r.put("samples_acknowledged", s.samplesAcknowledged());
        r.put("samples_failed", s.samplesFailed());
        r.put("requests_failed", s.requestsFailed());
        r.put("wall_seconds", s.wallNanos() / 1e9);
        r.put("samples_per_second", s.samplesPerSecond());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("count", s.latency().count());
        lat.put("p50", s.latency().p50());
        lat.put("p99", s.latency().p99());
        lat.put("max", s.latency().max());
        r.put("latency_ms", lat);
        r.put("statuses", s.statuses());
        r.put("retries", s.retries());
        r.put("written_mismatches", s.writtenMismatches());
        r.put("error_messages", s.messages());
        r.put("client_cpu_seconds", s.clientCpuNanos() / 1e9);
        r.put("client_cpu_cores", s.wallNanos() == 0 ? 0.0 : (double) s.clientCpuNanos() / s.wallNanos());
        r.put("available_cores", Runtime.getRuntime().availableProcessors());
        if (v != null) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("ok", v.ok());
            vm.put("expected_samples", v.expectedSamples());
            vm.put("found_samples", v.foundSamples());
            vm.put("missing_samples", v.missingSamples());
            vm.put("missing_series", v.missingSeries());
            vm.put("wrong_values", v.wrongValues());
            vm.put("unexpected_samples", v.unexpectedSamples());
            vm.put("unexpected_series", v.unexpectedSeries());
            vm.put("wrong_tenant", v.wrongTenant());
            vm.put("series_frames", v.seriesFrames());
            vm.put("chunks", v.chunks());
            vm.put("examples", v.examples());
            r.put("verify", vm);
        }
        boolean ok = s.requestsFailed() == 0 && s.writtenMismatches() == 0
            && s.samplesAcknowledged() == plan.data().totalSamples() && (v == null || v.ok());
        r.put("ok", ok);
        return r;
    }

    static String toJson(Map<String, Object> report) {
        try {
            return new ObjectMapper().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }

    @SuppressWarnings("unchecked")
    private void printText(Map<String, Object> r) {
        Map<String, Object> lat = (Map<String, Object>) r.get("latency_ms");
        out.printf("target            %s (remote write %s)%n", r.get("url"), r.get("protocol"));
        out.printf("load              %s series x %s samples, batch %s, %s shards, %s tenants, %s labels%n",
            r.get("series"), r.get("samples_per_series"), r.get("batch"), r.get("concurrency"), r.get("tenants"),
            r.get("label_count"));
        out.printf("encoded           %s requests, %s bytes in %.2f s (before the clock)%n",
            r.get("requests"), r.get("encoded_bytes"), (Double) r.get("encode_seconds"));
        out.printf("acknowledged      %s of %s samples (%s failed in %s requests)%n",
            r.get("samples_acknowledged"), r.get("samples_sent"), r.get("samples_failed"), r.get("requests_failed"));
        out.printf("wall time         %.3f s%n", (Double) r.get("wall_seconds"));
        out.printf("throughput        %.0f samples/s%n", (Double) r.get("samples_per_second"));
        out.printf("latency           p50 %.2f ms, p99 %.2f ms, max %.2f ms over %s attempts%n",
            (Double) lat.get("p50"), (Double) lat.get("p99"), (Double) lat.get("max"), lat.get("count"));
        out.printf("statuses          %s, retries %s, v2 written mismatches %s%n",
            r.get("statuses"), r.get("retries"), r.get("written_mismatches"));
        Map<String, String> messages = (Map<String, String>) r.get("error_messages");
        messages.forEach((k, m) -> out.printf("  first %s body: %s%n", k, m.strip()));
        out.printf("client CPU        %.2f s (%.2f of %s cores)%n", (Double) r.get("client_cpu_seconds"),
            (Double) r.get("client_cpu_cores"), r.get("available_cores"));
        Map<String, Object> v = (Map<String, Object>) r.get("verify");
        if (v != null) {
            out.printf("verify            %s: %s of %s acknowledged samples read back; missing %s (%s series),"
                    + " wrong values %s, unexpected %s samples / %s series, wrong tenant %s%n",
                Boolean.TRUE.equals(v.get("ok")) ? "OK" : "FAILED", v.get("found_samples"),
                v.get("expected_samples"), v.get("missing_samples"), v.get("missing_series"), v.get("wrong_values"),
                v.get("unexpected_samples"), v.get("unexpected_series"), v.get("wrong_tenant"));
            for (Object ex : (Iterable<?>) v.get("examples")) {
                out.printf("  %s%n", ex);
            }
        }
        Map<String, Object> w = (Map<String, Object>) r.get("warmup");
        if (w != null) {
            out.printf("warm-up           %s series x %s samples before the clock: %s acknowledged, %s requests failed%n",
                w.get("series"), w.get("samples_per_series"), w.get("samples_acknowledged"), w.get("requests_failed"));
        }
        out.printf("result            %s%n", Boolean.TRUE.equals(r.get("ok")) ? "OK" : "ERRORS");
    }
}
