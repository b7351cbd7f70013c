package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.Ulid;
import io.jreceive.app.HostCommand.Result;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image built and run for real, without a registry: {@code docker/Dockerfile} built by podman
 * ({@code --format docker}, so that HEALTHCHECK is kept) on two Debian 12 bases that {@code tools/podman.sh base}
 * makes with debootstrap (a JDK and Maven for the build stage, a JRE for the runtime; kept in podman's storage per
 * package list). The build stage reads the host's {@code ~/.m2} through an overlay (its writes are dropped) and the
 * host's Java trust store, so that the few downloads left pass where outbound TLS is inspected. The image is run
 * as {@code docker/README.md} runs it, with the ports published on 127.0.0.1: ready, healthy, uid 10001, the three
 * ports exposed, {@code /data} owned by 10001; a load, then {@code podman stop}: exit 0, the flush in the log and
 * a block in the bucket directory. Then read-only with a tmpfs {@code /tmp} and {@code --memory 1g}: the heap
 * follows the container limit (MaxRAMPercentage=50). Skips without podman, runc or debootstrap, and fails
 * under {@code CI=true}, where {@code .ci/run} installs them.
 */
@Tag("container")
class ContainerImageIT {
    private static final Path ROOT = HostCommand.ROOT;
    /** One tag per run: runs on a shared machine do not remove each other's image. */
    private static final String IMAGE = "localhost/jreceive:it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<String> containers = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private Path podman;
    private boolean built;

    @AfterEach
    void removeContainers() throws Exception {
        for (String c : containers) {
            podman(Duration.ofSeconds(60), "rm", "-f", "-t", "5", c);
        }
        for (String v : volumes) {
            podman(Duration.ofSeconds(30), "volume", "rm", "-f", v);
        }
        if (built) {
            // Each run builds anew (its sources changed); an image per run would fill the disk.
            podman(Duration.ofSeconds(60), "rmi", "-f", IMAGE);
        }
    }

    private Result run(Duration timeout, List<String> cmd) throws Exception {
        return HostCommand.run(tmp, timeout, cmd);
    }

    private Result podman(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(podman.toString()));
        cmd.addAll(List.of(args));
        return run(timeout, cmd);
    }

    /** {@code tools/podman.sh base NAME PKG...}: the image name, made by debootstrap or found in storage. */
    private String base(String name, String... packages) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "tools/podman.sh", "base", name));
        cmd.addAll(List.of(packages));
        String out = run(Duration.ofMinutes(15), cmd).ok("tools/podman.sh base " + name).out();
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    private JsonNode inspect(String what, String name) throws Exception {
        return JSON.readTree(podman(Duration.ofSeconds(30), what, "inspect", name).ok("inspect " + name).out())
                .get(0);
    }

    @Test
    void imageBuildsRunsAsDocumentedStopsCleanlyAndFollowsTheMemoryLimit() throws Exception {
        for (String tool : List.of("podman", "runc", "debootstrap")) {
            if (Tools.locate(tool).or(() -> Optional.of(Path.of("/usr/sbin", tool)).filter(Files::isExecutable))
                    .isEmpty()) {
                String msg = tool + " not found (Debian packages podman, runc, debootstrap: tools/podman.sh install)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(msg + "; CI=true requires it");
                }
                Assumptions.abort(msg + "; skipping");
            }
        }
        podman = Tools.locate("podman").orElseThrow();
        String jdk = base("jdk", "openjdk-17-jdk-headless", "maven");
        // The default runtime is a JDK 25, on which the build trains the AOT cache (Debian 12 packages no JDK 25:
        // the machine's own, copied onto a Debian minbase).
        String jre = run(Duration.ofMinutes(15), List.of("bash", "tools/podman.sh", "runtime",
                Tools.requireJdk25().toString())).ok("tools/podman.sh runtime").out();
        jre = jre.substring(jre.lastIndexOf('\n') + 1);

        long buildStart = System.nanoTime();
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        Files.createDirectories(m2);
        // No layer cache (--layers=false): the stages leave no intermediate images behind, and the dependency step
        // is quick from the overlaid ~/.m2 anyway.
        List<String> build = new ArrayList<>(List.of("build", "--format", "docker", "--layers=false",
                "-f", "docker/Dockerfile",
                "--ignorefile", "docker/Dockerfile.dockerignore",
                "--build-arg", "BUILD_IMAGE=" + jdk, "--build-arg", "RUNTIME_IMAGE=" + jre,
                "-v", m2 + ":/root/.m2:O"));
        Path cacerts = Path.of("/etc/ssl/certs/java/cacerts");
        if (Files.isRegularFile(cacerts)) {
            build.addAll(List.of("-v", cacerts + ":" + cacerts + ":ro"));
        }
        build.addAll(List.of("-t", IMAGE, "."));
        built = true;
        podman(Duration.ofMinutes(30), build.toArray(String[]::new)).ok("podman build");
        long buildSeconds = (System.nanoTime() - buildStart) / 1_000_000_000L;

        JsonNode image = inspect("image", IMAGE);
        JsonNode config = image.path("Config");
        assertEquals("10001:10001", config.path("User").asText(), "runs as uid/gid 10001");
        Set<String> exposed = new TreeSet<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        assertEquals(Set.of("10901/tcp", "10902/tcp", "19291/tcp"), exposed);
        // Podman shows the health check beside Config; an OCI-format build would have dropped it.
        assertEquals("CMD", image.at("/Healthcheck/Test/0").asText(), "HEALTHCHECK kept (docker format): " + image);
        assertTrue(image.at("/Healthcheck/Test/3").asText().contains("/-/ready"), "the probe asks /-/ready");
        long size = image.path("Size").asLong();
        System.out.printf("ContainerImageIT: image %s %d MB, built in %d s%n", IMAGE, size / 1_000_000,
                buildSeconds);
        List<String> cmd = new ArrayList<>();
        config.path("Cmd").forEach(n -> cmd.add(n.asText()));

        // docker/README.md's run: the three ports and a named volume at /data, here published on loopback only,
        // plus a FILESYSTEM bucket in a directory the container's user owns.
        Path bucket = Files.createDirectories(tmp.resolve("bucket"));
        run(Duration.ofSeconds(10), List.of("chown", "10001:10001", bucket.toString())).ok("chown");
        Path objstore = Files.writeString(tmp.resolve("objstore.yaml"),
                "type: FILESYSTEM\nconfig:\n  directory: /bucket\n");
        String volume = "jreceive-it-" + UUID.randomUUID();
        volumes.add(volume);
        Ports ports = Ports.free();
        List<String> args = new ArrayList<>(cmd);
        args.add("--objstore.config-file=/etc/thanos/objstore.yaml");
        long start = System.nanoTime();
        String name = startContainer(ports, List.of("-v", volume + ":/data",
                "-v", objstore + ":/etc/thanos/objstore.yaml:ro", "-v", bucket + ":/bucket"), args);
        long readyMs = awaitReady(ports, name, start);
        System.out.printf("ContainerImageIT: start to ready %d ms%n", readyMs);

        assertEquals(0, podman(Duration.ofSeconds(30), "healthcheck", "run", name).code(), "health check passes");
        assertEquals("10001", podman(Duration.ofSeconds(30), "exec", name, "id", "-u").ok("id").out());
        assertEquals("10001:10001", podman(Duration.ofSeconds(30), "exec", name, "stat", "-c", "%u:%g", "/data")
                .ok("stat").out(), "the named volume takes /data's ownership");
        // The build trained the AOT cache on the runtime's JDK 25, and the ENTRYPOINT starts java from it.
        assertTrue(podman(Duration.ofSeconds(30), "exec", name, "cat", "/proc/1/cmdline").ok("cmdline").out()
                .contains("-XX:AOTCache=/jreceive.aot"), "java runs from the image's AOT cache");

        DeterministicLoad load = new DeterministicLoad(20, System.currentTimeMillis() - 600_000L, 15_000);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI rw = URI.create("http://127.0.0.1:" + ports.remoteWrite + "/api/v1/receive");
        load.run(1, 0, 40, body -> post(http, rw, body));
        assertEquals(20 * 40, load.acknowledged().size(), "every write answered 2xx");

        podman(Duration.ofSeconds(150), "stop", "-t", "120", name).ok("podman stop");
        JsonNode state = inspect("container", name).path("State");
        assertEquals(0, state.path("ExitCode").asInt(), "exit code after SIGTERM");
        String logs = podman(Duration.ofSeconds(30), "logs", name).out();
        assertTrue(logs.contains("shutting down: stop ingest, flush heads"), logs);
        assertTrue(logs.contains("uploading the final cut blocks before exiting"), logs);
        assertTrue(logs.contains("shutdown complete"), logs);
        Set<String> blocks = new TreeSet<>();
        try (Stream<Path> s = Files.list(bucket)) {
            s.filter(p -> Ulid.isValid(p.getFileName().toString()) && Files.exists(p.resolve("meta.json")))
                    .forEach(p -> blocks.add(p.getFileName().toString()));
        }
        assertFalse(blocks.isEmpty(), "the flushed block is in the bucket: " + bucket);
        long samples = 0;
        for (String b : blocks) {
            samples += JSON.readTree(bucket.resolve(b).resolve("meta.json").toFile()).at("/stats/numSamples")
                    .asLong();
        }
        assertEquals(load.acknowledged().size(), samples, "the bucket holds every acknowledged sample");

        // Read-only root, a tmpfs /tmp (Netty and snappy unpack native libraries there), a 1 GiB limit: the JVM
        // sizes the heap from the container's limit, so the heap's ceiling is half of it.
        Ports ro = Ports.free();
        long roStart = System.nanoTime();
        // AOTMode=on refuses to start from a cache this JVM cannot use: the cache trained at the build's heap size
        // serves a container of another size.
        String javaOpts = null;
        for (JsonNode e : config.path("Env")) {
            if (e.asText().startsWith("JAVA_OPTS=")) {
                javaOpts = e.asText().substring("JAVA_OPTS=".length());
            }
        }
        assertTrue(javaOpts != null && javaOpts.contains("MaxRAMPercentage"), "the image's JAVA_OPTS: " + config);
        String limited = startContainer(ro, List.of("--read-only", "--tmpfs", "/tmp", "--memory", "1g",
                "-e", "JAVA_OPTS=" + javaOpts + " -XX:AOTMode=on", "-v", volume + ":/data"), cmd);
        awaitReady(ro, limited, roStart);
        double heapMax = heapMax(http, ro);
        assertTrue(heapMax > 0.45 * 1024 * 1024 * 1024 && heapMax <= 0.5 * 1024 * 1024 * 1024,
                "max heap " + heapMax + " bytes follows the 1 GiB limit (MaxRAMPercentage=50)");
        podman(Duration.ofSeconds(150), "stop", "-t", "120", limited).ok("podman stop");
        assertEquals(0, inspect("container", limited).path("State").path("ExitCode").asInt(),
                "read-only container exits 0");
    }

    /** Free loopback ports for remote write, gRPC and HTTP. */
    record Ports(int remoteWrite, int grpc, int http) {
        static Ports free() throws IOException {
            return new Ports(PrometheusProcess.freePort(), PrometheusProcess.freePort(), PrometheusProcess.freePort());
        }
    }

    private String startContainer(Ports ports, List<String> options, List<String> args) throws Exception {
        String name = "jreceive-it-" + UUID.randomUUID();
        containers.add(name);
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", name,
                "-p", "127.0.0.1:" + ports.remoteWrite + ":19291",
                "-p", "127.0.0.1:" + ports.grpc + ":10901",
                "-p", "127.0.0.1:" + ports.http + ":10902"));
        cmd.addAll(options);
        cmd.add(IMAGE);
        cmd.addAll(args);
        podman(Duration.ofSeconds(60), cmd.toArray(String[]::new)).ok("podman run");
        return name;
    }

    /** Milliseconds from {@code startNanos} to the first 200 from {@code /-/ready}. */
    private long awaitReady(Ports ports, String name, long startNanos) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http + "/-/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = startNanos + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - startNanos) / 1_000_000L;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (!inspect("container", name).path("State").path("Running").asBoolean()) {
                throw new AssertionError("container exited: " + podman(Duration.ofSeconds(30), "logs", name).out());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in 120 s: " + podman(Duration.ofSeconds(30), "logs", name).out());
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, byte[] body) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The largest {@code jvm_memory_max_bytes} of a heap pool: G1's old generation, whose ceiling is the heap's. */
    private static double heapMax(HttpClient http, Ports ports) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        double max = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"")) {
                max = Math.max(max, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertTrue(max > 0, "jvm_memory_max_bytes for the heap on /metrics");
        return max;
    }
}
