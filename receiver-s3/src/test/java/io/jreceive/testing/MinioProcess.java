package io.jreceive.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real MinIO server (the binary {@code tools/peers.sh} builds from MinIO's Go module, found by
 * {@link Peers#require}: skipped outside CI when missing, failed under {@code CI=true}) forked on a free 127.0.0.1
 * port over a temporary data directory, with root credentials generated for this run and bucket {@link #BUCKET}
 * created. {@link #stop()} and {@link #start()} keep the port, the credentials and the data, so a test can simulate
 * an outage; {@link #close()} stops the process and deletes the data. A JVM shutdown hook stops a server a test left
 * running.
 */
public final class MinioProcess implements S3Server {
    public static final String BUCKET = "thanos";

    private final Path binary;
    private final Path dir;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Thread hook = new Thread(this::kill, "minio-stop");
    private Process process;
    private int starts;

    private MinioProcess(Path binary, Path dir, int port, String accessKey, String secretKey) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts MinIO with a fresh data directory and credentials, and creates {@link #BUCKET}. */
    public static MinioProcess create() throws Exception {
        Path bin = Peers.require("minio");
        SecureRandom random = new SecureRandom();
        MinioProcess m = new MinioProcess(bin, Files.createTempDirectory("jreceive-minio"), freePort(),
                "jr" + hex(random, 8), hex(random, 20));
        Runtime.getRuntime().addShutdownHook(m.hook);
        try {
            m.start();
            try (S3Client c = m.client()) {
                c.createBucket(b -> b.bucket(BUCKET));
            }
        } catch (Exception | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public String bucket() {
        return BUCKET;
    }

    /** The root user's access key, generated for this run. */
    @Override
    public String accessKey() {
        return accessKey;
    }

    /** The root user's secret key, generated for this run. */
    @Override
    public String secretKey() {
        return secretKey;
    }

    /** MinIO's own log (all starts appended), for failure messages. */
    public Path log() {
        return dir.resolve("minio.log");
    }

    @Override
    public synchronized void start() throws Exception {
        if (process != null && process.isAlive()) {
            return;
        }
        starts++;
        ProcessBuilder pb = new ProcessBuilder(List.of(binary.toString(), "server", "--quiet",
                "--address", "127.0.0.1:" + port, dir.resolve("data").toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        Map<String, String> env = pb.environment();
        env.put("MINIO_ROOT_USER", accessKey);
        env.put("MINIO_ROOT_PASSWORD", secretKey);
        // No web console (it would listen on a random port of every interface), no update or telemetry calls.
        env.put("MINIO_BROWSER", "off");
        env.put("MINIO_UPDATE", "off");
        env.put("MINIO_CALLHOME_ENABLE", "off");
        process = pb.start();
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://" + endpoint() + "/minio/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("minio exited " + process.exitValue() + " (start " + starts + "): "
                        + Files.readString(log()));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("minio not ready on " + endpoint() + " within " + timeout + ": "
                        + Files.readString(log()));
            }
            Thread.sleep(50);
        }
    }

    @Override
    public synchronized void stop() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    private synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public String toString() {
        return "MinIO " + endpoint();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (Exception e) {
            kill();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook runs anyway.
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("deleting " + dir, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
