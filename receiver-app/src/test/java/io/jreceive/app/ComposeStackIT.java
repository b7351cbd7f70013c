package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jreceive.app.HostCommand.Result;
import io.jreceive.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack's acceptance check, run for real with {@code podman-compose} and no registry: the receive path of
 * {@code docker/compose.yaml} (MinIO and its bucket job, jreceive, the four Prometheus agents with the seed's external
 * labels, Thanos Query) on local images: jreceive built from {@code docker/Dockerfile} on the debootstrap bases,
 * and Prometheus 3.7, Thanos 0.38 and MinIO copied from the binaries {@code tools/peers.sh} builds onto the minimal
 * base ({@code tools/podman.sh prometheus|thanos|minio}). Thanos Query must answer
 * {@code /api/v1/label/cluster/values} with exactly the four clusters; then jreceive is stopped, which flushes its
 * head and ships the block, and the block's {@code meta.json} must be in MinIO's bucket.
 *
 * <p>The test runs a copy of compose.yaml with these changes only: the image names (the file's env-var defaults are
 * the public images), jreceive's {@code build:} dropped (it is built here first, on local bases), the config mounts
 * made absolute, no published ports except Thanos Query's HTTP port on 127.0.0.1 (a free port: runs sharing the
 * machine must not collide), and the services that need a public image or add nothing to the check left out:
 * Grafana, Thanos Store and Compactor. Skips without podman, podman-compose, runc or debootstrap, or the peer
 * binaries, and fails under {@code CI=true}, where {@code .ci/run} installs them.
 */
@Tag("container")
class ComposeStackIT {
    private static final Path ROOT = HostCommand.ROOT;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String IMAGE = "localhost/jreceive:compose-" + RUN;
    /** The podman-compose project: containers, network and volumes of this run only. */
    private static final String PROJECT = "jreceive-it-" + RUN;
    private static final List<String> SERVICES = List.of("minio-init", "minio", "jreceive", "prometheus-agent-1",
            "prometheus-agent-2", "prometheus-agent-3", "prometheus-agent-4", "thanos-query");
    private static final Set<String> CLUSTERS = Set.of("cluster-01-central", "cluster-02-edge", "cluster-03-edge",
            "cluster-04-edge");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Path composeFile;
    private boolean built;

    private Result run(Duration timeout, List<String> cmd) throws Exception {
        return HostCommand.run(tmp, timeout, cmd);
    }

    private Result run(Duration timeout, String... cmd) throws Exception {
        return run(timeout, List.of(cmd));
    }

    private Result compose(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("podman-compose", "-p", PROJECT, "-f", composeFile.toString()));
        cmd.addAll(List.of(args));
        return run(timeout, cmd);
    }

    /** The last line {@code tools/podman.sh} prints: the image name. */
    private String podmanSh(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "tools/podman.sh"));
        cmd.addAll(List.of(args));
        String out = run(Duration.ofMinutes(15), cmd).ok("tools/podman.sh " + String.join(" ", args)).out();
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (composeFile != null) {
            compose(Duration.ofMinutes(3), "down", "-v", "-t", "5");
            // podman-compose 1.0.3 leaves the project's network behind.
            run(Duration.ofSeconds(60), "podman", "network", "rm", "-f", PROJECT + "_default");
        }
        if (built) {
            run(Duration.ofSeconds(60), "podman", "rmi", "-f", IMAGE);
        }
    }

    @Test
    void fourAgentsWriteThroughJreceiveAndThanosQueryListsTheirClusters() throws Exception {
        for (String tool : List.of("podman", "podman-compose", "runc", "debootstrap")) {
            if (Tools.locate(tool).or(() -> Optional.of(Path.of("/usr/sbin", tool)).filter(Files::isExecutable))
                    .isEmpty()) {
                skipOrFail(tool + " not found (Debian packages podman, podman-compose, runc, debootstrap)");
            }
        }
        Path peers = Path.of(Optional.ofNullable(System.getenv("JRECEIVE_PEERS"))
                .orElse(System.getProperty("user.home") + "/.cache/jreceive-peers"));
        for (String peer : List.of("prometheus", "thanos", "minio")) {
            if (!Files.isExecutable(peers.resolve(peer))) {
                skipOrFail("no " + peer + " binary in " + peers + " (tools/peers.sh " + peer + ")");
            }
        }
        String prometheus = podmanSh("prometheus");
        String thanos = podmanSh("thanos");
        String minio = podmanSh("minio");
        String jdk = podmanSh("base", "jdk", "openjdk-17-jdk-headless", "maven");
        // Debian's JDK 17 as the runtime: the image as a runtime older than 25 builds it, without an AOT cache
        // (ContainerImageIT builds the default, a JDK 25 with one).
        String jre = podmanSh("base", "jre", "openjdk-17-jre-headless");
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        Files.createDirectories(m2);
        List<String> build = new ArrayList<>(List.of("podman", "build", "--format", "docker", "--layers=false",
                "-f", "docker/Dockerfile", "--ignorefile", "docker/Dockerfile.dockerignore",
                "--build-arg", "BUILD_IMAGE=" + jdk, "--build-arg", "RUNTIME_IMAGE=" + jre,
                "-v", m2 + ":/root/.m2:O"));
        Path cacerts = Path.of("/etc/ssl/certs/java/cacerts");
        if (Files.isRegularFile(cacerts)) {
            build.addAll(List.of("-v", cacerts + ":" + cacerts + ":ro"));
        }
        build.addAll(List.of("-t", IMAGE, "."));
        built = true;
        run(Duration.ofMinutes(30), build).ok("podman build");

        int queryPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            queryPort = s.getLocalPort();
        }
        composeFile = tmp.resolve("compose.yaml");
        Files.writeString(composeFile, DeploymentTool.YAML.writeValueAsString(
                stackForTest(prometheus, thanos, minio, queryPort)));

        long start = System.nanoTime();
        compose(Duration.ofMinutes(5), "up", "-d").ok("podman-compose up");

        // Agents scrape every 15 s and send within seconds; jreceive's head answers Thanos Query over gRPC.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI values = URI.create("http://127.0.0.1:" + queryPort + "/api/v1/label/cluster/values");
        Set<String> seen = Set.of();
        String last = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(values).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    seen = new TreeSet<>();
                    for (JsonNode v : JSON.readTree(r.body()).path("data")) {
                        seen.add(v.asText());
                    }
                    if (seen.equals(CLUSTERS)) {
                        break;
                    }
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(2000);
        }
        assertEquals(CLUSTERS, seen, "Thanos Query's cluster values; last answer " + last + "\n" + logs());
        System.out.printf("ComposeStackIT: four clusters in Thanos Query %.1f s after podman-compose up%n",
                (System.nanoTime() - start) / 1e9);

        // Stopping jreceive flushes the head into a block and ships it to MinIO before it exits.
        compose(Duration.ofMinutes(3), "stop", "-t", "120", "jreceive").ok("podman-compose stop jreceive");
        String metas = compose(Duration.ofSeconds(60), "exec", "-T", "minio", "find", "/data/thanos",
                "-name", "meta.json*").out();
        // podman-compose echoes the command it runs, so the listing is matched as a path, not as a word.
        assertTrue(Pattern.compile("/data/thanos/[0-9A-Z]{26}/meta\\.json").matcher(metas).find(),
                "a block's meta.json in MinIO's bucket: " + metas + "\n" + logs());
    }

    /** compose.yaml as the test runs it (see the class comment for every change). */
    private JsonNode stackForTest(String prometheus, String thanos, String minio, int queryPort) throws Exception {
        ObjectNode doc = (ObjectNode) DeploymentTool.YAML.readTree(ROOT.resolve("docker/compose.yaml").toFile());
        ObjectNode services = (ObjectNode) doc.path("services");
        services.retain(SERVICES);
        doc.retain("services", "volumes"); // the ring profile's x-ring-node anchor goes with its services
        for (Map.Entry<String, JsonNode> e : services.properties()) {
            ObjectNode s = (ObjectNode) e.getValue();
            s.remove("ports");
            String image = s.path("image").asText();
            if (image.contains("PROMETHEUS_IMAGE")) {
                s.put("image", prometheus);
            } else if (image.contains("THANOS_IMAGE")) {
                s.put("image", thanos);
            } else if (image.startsWith("localhost/jreceive-minio:")) {
                assertEquals(minio, image, "compose.yaml names the MinIO image tools/podman.sh makes");
            }
            if (s.has("volumes")) {
                JsonNode old = s.get("volumes");
                ArrayNode vs = s.putArray("volumes");
                for (JsonNode v : old) {
                    String text = v.asText();
                    vs.add(text.startsWith("./") ? ROOT.resolve("docker").resolve(text.substring(2)) + "" : text);
                }
            }
        }
        ((ObjectNode) services.path("jreceive")).remove("build");
        ((ObjectNode) services.path("jreceive")).put("image", IMAGE);
        ObjectNode query = (ObjectNode) services.path("thanos-query");
        JsonNode old = query.get("command");
        ArrayNode command = query.putArray("command");
        for (JsonNode c : old) {
            // Thanos Store is left out; its endpoint would only log connection errors.
            if (!c.asText().contains("thanos-store")) {
                command.add(c);
            }
        }
        query.putArray("depends_on").add("jreceive");
        query.putArray("ports").add("127.0.0.1:" + queryPort + ":10902");
        ((ObjectNode) doc.path("volumes")).retain("minio-data", "jreceive-data");
        return doc;
    }

    private String logs() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String s : List.of("jreceive", "thanos-query", "prometheus-agent-3")) {
            String out = compose(Duration.ofSeconds(60), "logs", s).out();
            sb.append("--- ").append(s).append(" (last lines)\n")
                    .append(out.substring(Math.max(0, out.length() - 3000))).append('\n');
        }
        return sb.toString();
    }

    private static void skipOrFail(String msg) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg + "; CI=true requires it");
        }
        Assumptions.abort(msg + "; skipping");
    }
}
