package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Tools;

/**
 * {@code tools/aot-cache.sh}, which trains the ahead-of-time cache the image and the benchmark scripts run jreceive
 * from on a JDK 25: on a JDK 25 it trains (a WAL replayed, remote write 1.0 and 2.0, tenants, histograms,
 * out-of-order samples, StoreAPI reads, a flush) and writes a cache that a receiver started with
 * {@code -XX:AOTMode=on} (which refuses to start from a cache it cannot use) becomes ready from, loading its own
 * classes from the cache, and that takes remote write; on the JDK 17 that runs this test it writes nothing and exits
 * 3, the code the Dockerfile and {@code benchmarks/servers.sh} read as "no cache, run without one". A missing JDK 25
 * skips the first part, except under {@code CI=true}, where it fails.
 */
class AotCacheIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("tools/aot-cache.sh");
    private static final Path JAR = ROOT.resolve("receiver-app/target/jreceive.jar");
    private static final Path LOADGEN = ROOT.resolve("benchmarks/target/benchmarks.jar");
    /** The image's JVM options (docker/Dockerfile), with a smaller heap for the test. */
    private static final List<String> OPTS = List.of("-Xmx1g", "-Xms64m", "-XX:+UseG1GC", "-XX:MaxNewSize=16m",
            "-XX:MetaspaceSize=64m", "-XX:+ExitOnOutOfMemoryError");

    @TempDir
    Path dir;

    @Test
    void jdk25TrainsACacheThatAReceiverStartsFrom() throws Exception {
        Path java = Tools.requireJdk25().resolve("bin/java");
        Path cache = dir.resolve("jreceive.aot");
        Result train = train(java, cache);
        assertEquals(0, train.exit, train.output);
        assertTrue(Files.size(cache) > 10 << 20, "a cache of the jar's classes and profiles: " + Files.size(cache));

        int rw = PrometheusProcess.freePort();
        int http = PrometheusProcess.freePort();
        int grpc = PrometheusProcess.freePort();
        Path classes = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:AOTCache=" + cache, "-XX:AOTMode=on",
                "-Xlog:class+load=info:file=" + classes));
        cmd.addAll(OPTS);
        cmd.addAll(List.of("-jar", JAR.toString(), "--label=replica=\"aot\"", "--tsdb.path=" + dir.resolve("data"),
                "--remote-write.address=127.0.0.1:" + rw, "--http-address=127.0.0.1:" + http,
                "--grpc-address=127.0.0.1:" + grpc));
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(server, http, log);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                    "--url", "http://127.0.0.1:" + rw + "/api/v1/receive", "--series", "500", "--samples", "10",
                    "--batch", "250", "--concurrency", "2", "--json");
            JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
            assertEquals(0, code, report.toString());
            assertEquals(5000, report.get("samples_acknowledged").asLong(), report.toString());

            String loaded = Files.readString(classes);
            for (String c : List.of("io.jreceive.ingest.RemoteWriteHandler", "io.jreceive.head.Head",
                    "io.jreceive.wal.WalWriter", "io.netty.handler.codec.http.HttpObjectDecoder")) {
                String line = loaded.lines().filter(l -> l.contains(" " + c + " ")).findFirst()
                        .orElseGet(() -> fail(c + " not loaded\n" + tail(classes)));
                assertTrue(line.contains("shared objects file"), "loaded from the AOT cache: " + line);
            }
        } finally {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aJdkWithoutAotCachesWritesNothingAndExits3() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Assumptions.assumeTrue(Runtime.version().feature() < 25, "this test's own JVM makes AOT caches");
        Path cache = dir.resolve("jreceive.aot");
        Result train = train(java, cache);
        assertEquals(3, train.exit, train.output);
        assertTrue(train.output.contains("no AOT cache support"), train.output);
        assertFalse(Files.exists(cache));
    }

    private Result train(Path java, Path cache) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), JAR.toString(), cache.toString(),
                LOADGEN.toString()));
        cmd.addAll(OPTS);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile());
        pb.environment().put("JAVA", java.toString());
        pb.environment().put("TMPDIR", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            fail("training did not finish in 10 minutes\n" + tail(dir.resolve("train.log")));
        }
        return new Result(p.exitValue(), tail(dir.resolve("train.log")));
    }

    private static void awaitReady(Process server, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                fail("jreceive exited with " + server.exitValue() + "\n" + tail(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("not ready after 120 s\n" + tail(log));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    private record Result(int exit, String output) {
    }
}
