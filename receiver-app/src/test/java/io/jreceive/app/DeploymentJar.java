package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code receiver-app/target/jreceive.jar} started as a child process with a container's arguments,
 * rewritten only where a container path or port cannot be used on the test machine: {@code --tsdb.path} points
 * at a temporary directory, the three listen addresses at free 127.0.0.1 ports, and {@code --objstore.config-file}
 * at a FILESYSTEM bucket YAML in a temporary directory. Every other argument is passed exactly as the manifest
 * has it. {@link #close()} sends SIGTERM ({@link Process#destroy()}) and waits a bounded time.
 */
final class DeploymentJar implements AutoCloseable {
    /** Where failsafe runs (the module directory) the shaded jar is here after {@code package}. */
    static final Path JAR = Path.of("target/jreceive.jar");
    /** Bound on start-up (JVM start, storage open) and on SIGTERM handling (flush, close). */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(150);
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static final Set<String> ADDRESS_FLAGS = Set.of("--remote-write.address", "--grpc-address",
            "--http-address");

    final List<String> args;
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final Path log;
    final Path bucketDir;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private boolean stopped;
    private int exitCode = -1;

    private DeploymentJar(List<String> args, Path log, Path bucketDir, Process process) {
        this.args = args;
        this.log = log;
        this.bucketDir = bucketDir;
        this.process = process;
    }

    /**
     * Starts the jar directly: {@code java <jvmOptions> -Xmx256m -jar jreceive.jar <args>}. {@code containerArgs}
     * are the container's arguments after the image's entrypoint, {@code jvmOptions} the container's JAVA_OPTS
     * words. {@code -Xmx256m} is appended so several receivers fit the test machine (it overrides
     * -XX:MaxRAMPercentage, which would otherwise size the heap from the host's memory).
     */
    static DeploymentJar start(List<String> containerArgs, List<String> jvmOptions, Path tmp) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(jvmOptions);
        cmd.add("-Xmx256m");
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        return launch(cmd, Map.of(), containerArgs, tmp);
    }

    /**
     * Starts the jar through the image's exec-form ENTRYPOINT (a {@code /bin/sh -c} script), with {@code javaOpts}
     * in the JAVA_OPTS environment variable as the image sets it, plus {@code -Xmx256m}. Only the jar's path in
     * the image and the bare {@code java} are replaced, by the real jar and this JVM's launcher, so the script's
     * quoting and its {@code exec} (SIGTERM must reach the JVM, not the shell) are exercised as written.
     */
    static DeploymentJar startEntrypoint(List<String> entrypoint, String imageJar, String javaOpts,
                                         List<String> containerArgs, Path tmp) throws IOException {
        List<String> cmd = new ArrayList<>();
        for (String e : entrypoint) {
            cmd.add(e.replace("exec java ", "exec " + JAVA + " ")
                    .replace(imageJar, JAR.toAbsolutePath().toString()));
        }
        return launch(cmd, Map.of("JAVA_OPTS", javaOpts + " -Xmx256m"), containerArgs, tmp);
    }

    private static DeploymentJar launch(List<String> prefix, Map<String, String> env, List<String> containerArgs,
                                        Path tmp) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: run `mvn verify` (package first)");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path bucket = Files.createDirectories(tmp.resolve("bucket"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        for (String a : containerArgs) {
            int eq = a.indexOf('=');
            String flag = eq < 0 ? a : a.substring(0, eq);
            if (flag.equals("--tsdb.path")) {
                args.add(flag + "=" + data);
            } else if (ADDRESS_FLAGS.contains(flag)) {
                int port = freePort();
                ports.put(flag, port);
                args.add(flag + "=127.0.0.1:" + port);
            } else if (flag.equals("--objstore.config-file")) {
                Path yaml = tmp.resolve("objstore.yaml");
                Files.writeString(yaml, "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\nprefix: \"\"\n");
                args.add(flag + "=" + yaml);
            } else {
                args.add(a);
            }
        }
        for (String f : ADDRESS_FLAGS) {
            if (!ports.containsKey(f)) {
                // A manifest relying on a default would bind 0.0.0.0 on a fixed port: refuse, never bind it here.
                fail("container args do not set " + f + "; the test cannot move it to a free loopback port: "
                        + containerArgs);
            }
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        Path log = tmp.resolve("jreceive.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        DeploymentJar jar = new DeploymentJar(List.copyOf(args), log, bucket, pb.start());
        jar.ports.putAll(ports);
        return jar;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port(String flag) {
        return ports.get(flag);
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + port("--http-address") + path);
    }

    URI remoteWrite() {
        return URI.create("http://127.0.0.1:" + port("--remote-write.address") + "/api/v1/receive");
    }

    String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a remote-write 1.0 body (snappy-compressed protobuf) with optional extra header pairs. */
    HttpResponse<String> post(byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(remoteWrite()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /-/ready} until 200; fails with the log if the process exits or the bound passes. */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("jreceive exited with " + process.exitValue() + " before becoming ready; args " + args
                        + "\n--- log\n" + logText());
            }
            try {
                last = get("/-/ready").statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException e) {
                // listener not up yet
            }
            Thread.sleep(200);
        }
        fail("jreceive not ready within " + READY_TIMEOUT + " (last /-/ready status " + last + "); args " + args
                + "\n--- log\n" + logText());
    }

    /**
     * Sends SIGTERM and waits for the process; returns its exit code (0 after a clean flush).
     */
    int stop() throws InterruptedException, IOException {
        if (!stopped) {
            stopped = true;
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                fail("jreceive did not exit within " + STOP_TIMEOUT + " of SIGTERM\n--- log\n" + logText());
            }
            exitCode = process.exitValue();
        }
        return exitCode;
    }

    @Override
    public void close() throws Exception {
        if (!stopped) {
            stopped = true;
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(false, process.isAlive(), "jreceive process still alive after close");
    }
}
