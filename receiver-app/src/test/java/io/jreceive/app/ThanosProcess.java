package io.jreceive.app;

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

import io.jreceive.testing.Peers;

/**
 * A real Thanos v0.38 ({@code ~/.cache/jreceive-peers/thanos}) started as {@code thanos <component> <flags>} with its
 * output in a log file; waits for {@code /-/ready} on the given HTTP port. For ring and query tests.
 */
final class ThanosProcess implements AutoCloseable {
    private final Process process;
    final int httpPort;
    final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ThanosProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Starts {@code thanos component args...}; {@code httpPort} must be the one its {@code --http-address} names. */
    static ThanosProcess start(Path log, int httpPort, String component, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("thanos").toString(), component));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ThanosProcess t = new ThanosProcess(p, httpPort, log);
        t.awaitReady(Duration.ofSeconds(60));
        return t;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("thanos exited " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("thanos not ready after " + timeout + ": " + Files.readString(log));
    }

    /** An instant PromQL query through Thanos Query's HTTP API; returns the JSON body. */
    String query(String promql, long timeMs) throws Exception {
        String q = "http://127.0.0.1:" + httpPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time=" + (timeMs / 1000.0);
        return http.send(HttpRequest.newBuilder(URI.create(q)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM and wait. */
    void stop() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
