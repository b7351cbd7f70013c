package io.jreceive.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * A real Prometheus started by a test on 127.0.0.1 and a free port, in agent or server mode, with its log in a
 * file: Debian's 2.42 by default, or the 3.7 peer ({@link Release#V3_7}, built by {@code tools/peers.sh}).
 * {@link #require()} skips the calling test when the binary is missing, except under {@code CI=true}, where that
 * fails it. {@link #close()} stops it (SIGTERM, then SIGKILL after a bound).
 */
public final class PrometheusProcess implements AutoCloseable {
    /** Which Prometheus: the binary and how its agent mode is switched on. */
    public enum Release {
        /** Debian's {@code /usr/bin/prometheus} 2.42: agent mode is a feature flag. */
        V2_42,
        /** Prometheus 3.7.3 from the peer cache: agent mode is the {@code --agent} flag. */
        V3_7;

        /** The binary; skips the test if absent, or fails it under {@code CI=true}. */
        public Path binary() {
            return this == V2_42 ? Tools.require("prometheus") : Peers.require("prometheus");
        }

        String agentFlag() {
            return this == V2_42 ? "--enable-feature=agent" : "--agent";
        }
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The binary; skips the test if absent, or fails it under {@code CI=true}. */
    public static Path require() {
        return Tools.require("prometheus");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts Prometheus in agent mode with {@code config} (YAML; {@code ${PORT}} is replaced by its own port) and
     * its WAL under {@code dir/agent}.
     */
    public static PrometheusProcess agent(Path dir, String config) throws Exception {
        return agent(Release.V2_42, dir, config);
    }

    /** As {@link #agent(Path, String)}, with the given release. */
    public static PrometheusProcess agent(Release release, Path dir, String config) throws Exception {
        return start(release, dir, config, release.agentFlag(), "--storage.agent.path=" + dir.resolve("agent"));
    }

    /** Starts a Prometheus server on an existing TSDB directory. */
    public static PrometheusProcess server(Path dir, Path tsdb, String config) throws Exception {
        return start(Release.V2_42, dir, config, "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=100y");
    }

    /** Starts a Prometheus server of {@code release} on an existing TSDB directory, with {@code extraArgs}. */
    public static PrometheusProcess server(Release release, Path dir, Path tsdb, String config, String... extraArgs)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--storage.tsdb.path=" + tsdb,
                "--storage.tsdb.retention.time=100y"));
        args.addAll(List.of(extraArgs));
        return start(release, dir, config, args.toArray(String[]::new));
    }

    /** Starts a Prometheus server with an empty TSDB under {@code dir/tsdb} and its remote-write receiver on. */
    public static PrometheusProcess receiver(Path dir, String config) throws Exception {
        return start(Release.V2_42, dir, config, "--web.enable-remote-write-receiver",
                "--storage.tsdb.path=" + dir.resolve("tsdb"));
    }

    private static PrometheusProcess start(Release release, Path dir, String config, String... modeArgs)
            throws Exception {
        Path bin = release.binary();
        Files.createDirectories(dir);
        int port = freePort();
        Path cfg = dir.resolve("prometheus-" + port + ".yml");
        Files.writeString(cfg, config.replace("${PORT}", Integer.toString(port)));
        Path log = dir.resolve("prometheus-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--config.file=" + cfg,
                "--web.listen-address=127.0.0.1:" + port));
        cmd.addAll(List.of(modeArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess pp = new PrometheusProcess(p, port, log);
        pp.awaitReady(Duration.ofSeconds(60));
        return pp;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + Files.readString(log));
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus not ready after " + timeout + ": " + Files.readString(log));
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sum of a metric's samples in its /metrics whose label set starts with {@code labelsPrefix}; 0 when absent. */
    public double counter(String name, String labelsPrefix) throws IOException, InterruptedException {
        double sum = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + labelsPrefix)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Waits up to 30 s for remote-write queue {@code queue} to have sent samples past {@code seconds}. */
    public void awaitHighestSent(String queue, double seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        double sent = 0;
        while (System.nanoTime() < deadline) {
            sent = counter("prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                    "{remote_name=\"" + queue + "\"");
            if (sent >= seconds) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("queue " + queue + " sent up to " + sent + " s, not past " + seconds);
    }

    /** The value of an unlabelled (or first matching) sample in its own /metrics, or NaN if absent. */
    public double metric(String nameWithLabels) throws IOException, InterruptedException {
        double sum = Double.NaN;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(nameWithLabels + " ") || line.startsWith(nameWithLabels + "{")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    /** An instant PromQL query against a server; returns the JSON body. */
    public String query(String promql, long evalTimeMs) throws IOException, InterruptedException {
        return query(promql, "&time=" + (evalTimeMs / 1000.0));
    }

    /** An instant PromQL query evaluated now; returns the JSON body. */
    public String query(String promql) throws IOException, InterruptedException {
        return query(promql, "");
    }

    private String query(String promql, String time) throws IOException, InterruptedException {
        String q = java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8);
        HttpResponse<String> r = get("/api/v1/query?query=" + q + time);
        if (r.statusCode() != 200) {
            throw new AssertionError("query " + promql + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Graceful stop (SIGTERM); waits up to a minute, then kills. */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
