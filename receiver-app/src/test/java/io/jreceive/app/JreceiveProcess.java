package io.jreceive.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.jreceive.testing.PrometheusProcess;

/**
 * The packaged jreceive jar ({@code target/jreceive.jar}, built before failsafe runs) started as a separate JVM on
 * free 127.0.0.1 ports, for tests that need a real process: kill -9, SIGTERM, restarts. Output goes to a log file
 * in the data directory's parent.
 */
final class JreceiveProcess implements AutoCloseable {
    final int remoteWritePort;
    final int httpPort;
    final int grpcPort;
    final Path log;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JreceiveProcess(Process process, int rw, int http, int grpc, Path log) {
        this.process = process;
        this.remoteWritePort = rw;
        this.httpPort = http;
        this.grpcPort = grpc;
        this.log = log;
    }

    static Path jar() {
        Path jar = Path.of("target", "jreceive.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " missing: run through `mvn verify` (package runs first)");
        }
        return jar;
    }

    /**
     * Starts jreceive on {@code dataDir} with the standard test flags plus {@code extra}, and waits for ready; a
     * {@code --label} in {@code extra} replaces the default {@code receive_replica="0"}.
     */
    static JreceiveProcess start(Path dataDir, String... extra) throws Exception {
        return start(dataDir, List.of(), extra);
    }

    /** As {@link #start(Path, String...)} with extra JVM options (e.g. a crash point) before {@code -jar}. */
    static JreceiveProcess start(Path dataDir, List<String> jvmArgs, String... extra) throws Exception {
        return start(dataDir, jvmArgs, PrometheusProcess.freePort(), PrometheusProcess.freePort(),
                PrometheusProcess.freePort(), extra);
    }

    /** Starts jreceive on given ports (a ring's nodes must know each other's gRPC ports before they start). */
    static JreceiveProcess startOn(Path dataDir, int rw, int http, int grpc, String... extra) throws Exception {
        return start(dataDir, List.of(), rw, http, grpc, extra);
    }

    /**
     * Starts a new jreceive on this one's three ports, as an operator's restart does (this one must be stopped:
     * its ports are the new one's).
     */
    JreceiveProcess restartOnSamePorts(Path dataDir) throws Exception {
        return start(dataDir, List.of(), remoteWritePort, httpPort, grpcPort);
    }

    /**
     * As {@link #start(Path, String...)} but with the JVM's own defaults, as {@code java -jar jreceive.jar} runs
     * (no {@code -Xmx}: the heap ceiling is a quarter of the machine's memory), for tests of what memory a load
     * takes.
     */
    static JreceiveProcess startWithJvmDefaults(Path dataDir, String... extra) throws Exception {
        return start(dataDir, null, PrometheusProcess.freePort(), PrometheusProcess.freePort(),
                PrometheusProcess.freePort(), extra);
    }

    /** {@code jvmArgs} null: no JVM options at all; otherwise {@code -Xmx1g} and these. */
    private static JreceiveProcess start(Path dataDir, List<String> jvmArgs, int rw, int http, int grpc,
            String... extra) throws Exception {
        JreceiveProcess jp = spawn(dataDir, jvmArgs, rw, http, grpc, extra);
        jp.awaitReady(Duration.ofSeconds(120));
        return jp;
    }

    /**
     * As {@link #start(Path, String...)} with {@code receive_replica="<replica>"} as its external label in place of
     * the default {@code "0"}.
     */
    static JreceiveProcess startReplica(Path dataDir, String replica, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--label=receive_replica=\"" + replica + "\""));
        args.addAll(List.of(extra));
        return start(dataDir, args.toArray(String[]::new));
    }

    /** Starts jreceive as {@link #start(Path, String...)} does, without waiting for ready (it may exit at once). */
    static JreceiveProcess spawn(Path dataDir, String... extra) throws Exception {
        return spawn(dataDir, List.of(), PrometheusProcess.freePort(), PrometheusProcess.freePort(),
                PrometheusProcess.freePort(), extra);
    }

    /** As {@link #spawn(Path, String...)} on given ports (one may be held by the test, to see the refusal). */
    static JreceiveProcess spawnOn(Path dataDir, int rw, int http, int grpc, String... extra) throws Exception {
        return spawn(dataDir, List.of(), rw, http, grpc, extra);
    }

    private static JreceiveProcess spawn(Path dataDir, List<String> jvmArgs, int rw, int http, int grpc,
            String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (jvmArgs != null) {
            cmd.add("-Xmx1g");
            cmd.addAll(jvmArgs);
        }
        cmd.addAll(List.of("-jar", jar().toString(), "receive",
                "--tsdb.path=" + dataDir,
                "--remote-write.address=127.0.0.1:" + rw,
                "--http-address=127.0.0.1:" + http,
                "--grpc-address=127.0.0.1:" + grpc));
        if (Stream.of(extra).noneMatch(a -> a.startsWith("--label="))) {
            cmd.add("--label=receive_replica=\"0\"");
        }
        cmd.addAll(List.of(extra));
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-jreceive-" + rw + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new JreceiveProcess(p, rw, http, grpc, log);
    }

    /** The gRPC StoreAPI address, as {@code thanos query --endpoint} names it. */
    String grpcAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    URI remoteWrite() {
        return URI.create("http://127.0.0.1:" + remoteWritePort + "/api/v1/receive");
    }

    /**
     * POSTs a snappy remote write 1.0 body; I/O failures (a killed process) are rethrown unchecked, so load
     * loops can stop at them.
     */
    HttpResponse<String> post(byte[] body) {
        return post(body, null);
    }

    /** As {@link #post(byte[])}, for {@code tenant} ({@code THANOS-TENANT} header; null: the default tenant). */
    HttpResponse<String> post(byte[] body, String tenant) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(remoteWrite()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy");
            if (tenant != null) {
                req.header("THANOS-TENANT", tenant);
            }
            return http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("jreceive exited " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("jreceive not ready after " + timeout + ": " + Files.readString(log));
    }

    /** Whether {@code /-/ready} answers 200 now. */
    boolean ready() throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/-/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * A {@code /proc/<pid>/status} field in its unit ({@code VmRSS}, {@code VmHWM}: KiB; {@code Threads}: a
     * count), or -1 once the process is gone.
     */
    long status(String field) throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        List<String> lines;
        try {
            lines = Files.readAllLines(status);
        } catch (java.nio.file.NoSuchFileException gone) {
            return -1;
        }
        for (String line : lines) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError(field + " not in " + status);
    }

    /**
     * Runs {@code jcmd <pid> GC.run} then {@code GC.heap_info}, and returns the heap in use afterwards in bytes
     * (G1's {@code used NK} of the total line).
     */
    long heapAfterGc() throws Exception {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new AssertionError("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws Exception {
        Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(j.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!j.waitFor(60, TimeUnit.SECONDS) || j.exitValue() != 0) {
            throw new AssertionError("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    /** Its own /metrics text. */
    String metrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a metric's samples in its /metrics (0 when absent). */
    double metric(String name) throws IOException, InterruptedException {
        double sum = 0;
        for (String line : metrics().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Starts node {@code n} of a ring test. */
    @FunctionalInterface
    interface NodeStart {
        JreceiveProcess start(int n) throws Exception;
    }

    /**
     * Starts nodes {@code 0 .. count - 1} together, each on a thread of its own (none waits for another to be ready),
     * each set at its index of {@code nodes} (appended to, so that the test's clean-up stops whatever started);
     * throws when any failed to start.
     */
    static void startTogether(List<JreceiveProcess> nodes, int count, NodeStart start) throws InterruptedException {
        int first = nodes.size();
        for (int i = 0; i < count; i++) {
            nodes.add(null);
        }
        List<Thread> starts = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < count; i++) {
            final int n = i;
            Thread t = new Thread(() -> {
                try {
                    JreceiveProcess p = start.start(n);
                    synchronized (nodes) {
                        nodes.set(first + n, p);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            starts.add(t);
        }
        for (Thread t : starts) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("nodes failed to start: " + errors);
        }
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM without waiting: the shutdown runs while the caller goes on (to kill it midway, say). */
    void terminate() {
        process.destroy();
    }

    /** SIGTERM and wait; returns the exit code. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("jreceive did not stop within 120s: " + Files.readString(log));
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end on its own (a crash point); returns its exit code. */
    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jreceive still running after " + timeout + ": " + Files.readString(log));
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
