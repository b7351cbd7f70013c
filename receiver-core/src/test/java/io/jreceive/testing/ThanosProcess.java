package io.jreceive.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
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
 * The real Thanos v0.38.0 ({@link Peers#require Peers.require("thanos")}) forked by a test on 127.0.0.1 and free
 * ports, its output in a log file: the long-running components ({@link #query}, {@link #store}, {@link #receive})
 * wait until their {@code /-/ready} answers 200, and {@link #close()} stops them (SIGTERM, then SIGKILL after a
 * bound). The one-shot commands ({@code thanos compact --wait=false}, {@code thanos tools bucket verify}) go through
 * {@link #run}, which bounds their run time.
 */
public final class ThanosProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int httpPort;
    private final int grpcPort;
    private final Path log;

    private ThanosProcess(Process process, int httpPort, int grpcPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
        this.log = log;
    }

    /** The binary; skips the test if absent, or fails it under {@code CI=true}. */
    public static Path require() {
        return Peers.require("thanos");
    }

    /**
     * {@code thanos query} with its HTTP and gRPC listeners on free loopback ports and {@code args} (endpoints,
     * replica labels) added.
     */
    public static ThanosProcess query(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("query"));
        cmd.addAll(List.of(args));
        return start(dir, "query", cmd);
    }

    /**
     * {@code thanos store} over the bucket of {@code objstoreYaml}, with its cache under {@code dir}, syncing the
     * bucket every second so blocks added later are seen quickly.
     */
    public static ThanosProcess store(Path dir, String objstoreYaml, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("store", "--data-dir=" + dir.resolve("store-cache"),
                "--objstore.config=" + objstoreYaml, "--sync-block-duration=1s",
                "--consistency-delay=0s", "--ignore-deletion-marks-delay=0s"));
        cmd.addAll(List.of(args));
        return start(dir, "store", cmd);
    }

    /**
     * {@code thanos receive} with its remote-write listener on {@code remoteWritePort}, data under
     * {@code dir/receive}, and {@code args} ({@code --label}, objstore) added.
     */
    public static ThanosProcess receive(Path dir, int remoteWritePort, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("receive", "--tsdb.path=" + dir.resolve("receive"),
                "--remote-write.address=127.0.0.1:" + remoteWritePort));
        cmd.addAll(List.of(args));
        return start(dir, "receive", cmd);
    }

    /**
     * {@code thanos <args>} exactly as given, for tests that fix the ports before the start (a hashring file names
     * them): {@code args} must set {@code --http-address=127.0.0.1:httpPort} and {@code --grpc-address} to
     * {@code grpcPort}. The log goes to {@code log}.
     */
    public static ThanosProcess startOn(Path log, int httpPort, int grpcPort, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(require().toString()));
        cmd.addAll(List.of(args));
        return launch(cmd, log, httpPort, grpcPort);
    }

    private static ThanosProcess start(Path dir, String name, List<String> args) throws Exception {
        Path bin = require();
        Files.createDirectories(dir);
        int http = PrometheusProcess.freePort();
        int grpc = PrometheusProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(args);
        cmd.addAll(List.of("--http-address=127.0.0.1:" + http, "--grpc-address=127.0.0.1:" + grpc,
                "--log.level=info"));
        return launch(cmd, dir.resolve("thanos-" + name + "-" + http + ".log"), http, grpc);
    }

    private static ThanosProcess launch(List<String> cmd, Path log, int http, int grpc) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ThanosProcess tp = new ThanosProcess(p, http, grpc, log);
        try {
            tp.awaitReady(Duration.ofSeconds(60));
        } catch (Throwable t) {
            tp.close();
            throw t;
        }
        return tp;
    }

    /** What a one-shot command printed (output and error merged) and its exit code. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    /**
     * Runs a one-shot {@code thanos} command (e.g. {@code compact --wait=false}, {@code tools bucket verify}) to its
     * end, killing it after {@code timeout}; its output is also kept in a log under {@code dir}.
     */
    public static Result run(Path dir, Duration timeout, String... args) throws Exception {
        Path bin = require();
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "thanos-" + args[0] + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("thanos " + String.join(" ", args) + " still running after " + timeout + ":\n"
                    + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** The gRPC address as other components' {@code --endpoint} names it. */
    public String grpcAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    public Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("thanos exited " + process.exitValue() + ": " + Files.readString(log));
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
        throw new AssertionError("thanos not ready after " + timeout + ": " + Files.readString(log));
    }

    /** The lines of its log at {@code level} ({@code warn}, {@code error}), as Thanos' logfmt writes them. */
    public List<String> logLines(String level) throws IOException {
        String tag = "level=" + level + " ";
        return Files.readAllLines(log).stream().filter(l -> l.contains(tag)).toList();
    }

    /** A GET on its HTTP listener. */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET of an HTTP API path that must answer 200; returns the body. */
    public String api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = get(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** An instant PromQL query at {@code timeMs} through Thanos Query's HTTP API; returns the JSON body. */
    public String query(String promql, long timeMs) throws IOException, InterruptedException {
        return api("/api/v1/query?query=" + enc(promql) + "&time=" + (timeMs / 1000.0));
    }

    /** URL-encodes a query parameter value. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
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
