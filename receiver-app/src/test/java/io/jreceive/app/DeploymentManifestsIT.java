package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Checks the deployment files under {@code docker/} against the deployment they must drop into
 * (docker/README.md) and against the real jar:
 * <ol>
 *   <li>the kustomize overlay and the compose file, rendered by their own tools ({@code kubectl kustomize},
 *       {@code docker-compose config}) and parsed as YAML: ports, probes, flags, secret mount, service port names;
 *   <li>{@code target/jreceive.jar} started with exactly the container arguments of the StatefulSet, of the compose
 *       service and of the Dockerfile's CMD (through its ENTRYPOINT script), paths and ports moved to temporary
 *       directories and free loopback ports: it must become ready and shut down cleanly on SIGTERM;
 *   <li>every metric the Grafana dashboard queries is on {@code /metrics} after a little remote-write load and one
 *       StoreAPI call;
 *   <li>the build and run commands in the Dockerfile's header agree with docker/README.md.
 * </ol>
 * Missing tools skip the rendering tests with a message, except under {@code CI=true}, where they fail.
 */
class DeploymentManifestsIT {
    /** The repository root: failsafe runs in receiver-app/. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path DOCKER = ROOT.resolve("docker");
    static final String OVERLAY = "docker/kubernetes/overlays/cluster-01-central";
    static final String RING_OVERLAY = "docker/kubernetes/overlays/ring";
    static final String NAMESPACE = "monitoring";
    static final String SRV_NAME = "_grpc._tcp.thanos-receiver-headless.monitoring.svc.cluster.local";
    static final String REMOTE_WRITE_URL = "http://jreceive:19291/api/v1/receive";
    static final String THANOS_IMAGE = "quay.io/thanos/thanos:v0.38.0";

    private static DeploymentTool kubectl() {
        return DeploymentTool.require("kubectl with kustomize",
                "kubectl 1.21+ with kustomize v4+, e.g. the machine image's package kubectl; Debian's "
                        + "kubernetes-client 1.20 is too old",
                List.of(List.of("kubectl")), "kustomize", "--help");
    }

    private static DeploymentTool compose() {
        return DeploymentTool.require("docker-compose", "Debian: apt-get install -y docker-compose",
                List.of(List.of("docker-compose"), List.of("docker", "compose")), "version");
    }

    static List<JsonNode> kustomize() throws IOException {
        return kubectl().renderYaml(ROOT, "kustomize", OVERLAY);
    }

    static JsonNode composeConfig() throws IOException {
        List<JsonNode> docs = compose().renderYaml(ROOT, "-f", "docker/compose.yaml", "config");
        assertEquals(1, docs.size(), "docker-compose config prints one document");
        return docs.get(0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // (a) rendered manifests

    @Test
    void kustomizeOverlayReplacesTheThanosReceiver() throws IOException {
        List<JsonNode> docs = kustomize();
        JsonNode sts = one(docs, "StatefulSet", "thanos-receiver");
        JsonNode svc = one(docs, "Service", "thanos-receiver");
        JsonNode headless = one(docs, "Service", "thanos-receiver-headless");
        JsonNode ingress = one(docs, "Ingress", "thanos-receiver");
        for (JsonNode d : List.of(sts, svc, headless, ingress)) {
            assertEquals(NAMESPACE, d.at("/metadata/namespace").asText(), d.at("/metadata/name") + " namespace");
        }
        JsonNode pod = sts.at("/spec/template/spec");
        JsonNode c = onlyContainer(sts);
        assertFalse(c.has("command"), "the image's ENTRYPOINT must run: no command override, args only");
        assertTrue(c.path("image").asText().contains("jreceive"), "image: " + c.path("image"));

        // Ports by name, and the addresses the flags bind agree with them.
        Map<String, Integer> ports = namedPorts(c.path("ports"), "containerPort");
        assertEquals(Map.of("grpc", 10901, "http", 10902, "remote-write", 19291), ports);
        List<String> args = texts(c.path("args"));
        Map<String, String> flags = flags(args);
        assertEquals("receive", args.get(0), "a thanos receive command line");
        assertEquals("0.0.0.0:10901", flags.get("--grpc-address"));
        assertEquals("0.0.0.0:10902", flags.get("--http-address"));
        assertEquals("0.0.0.0:19291", flags.get("--remote-write.address"));
        assertEquals("6h", flags.get("--tsdb.retention"));
        assertEquals("/data", flags.get("--tsdb.path"));
        assertEquals("receive_replica=\"$(POD_NAME)\"", flags.get("--label"));
        JsonNode podName = env(c, "POD_NAME");
        assertEquals("metadata.name", podName.at("/valueFrom/fieldRef/fieldPath").asText(), "POD_NAME downward API");

        // Probes on the named http port.
        assertEquals("/-/healthy", c.at("/livenessProbe/httpGet/path").asText());
        assertEquals("http", c.at("/livenessProbe/httpGet/port").asText());
        assertEquals("/-/ready", c.at("/readinessProbe/httpGet/path").asText());
        assertEquals("http", c.at("/readinessProbe/httpGet/port").asText());

        // The data volume is the 50Gi claim template mounted at --tsdb.path.
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode m : c.path("volumeMounts")) {
            mounts.put(m.path("mountPath").asText(), m.path("name").asText());
        }
        assertEquals("data", mounts.get("/data"), "volume mounted at --tsdb.path");
        JsonNode claim = null;
        for (JsonNode t : sts.at("/spec/volumeClaimTemplates")) {
            if (t.at("/metadata/name").asText().equals("data")) {
                claim = t;
            }
        }
        assertTrue(claim != null, "volumeClaimTemplate data");
        assertEquals("50Gi", claim.at("/spec/resources/requests/storage").asText());

        // --objstore.config-file is a file of the mounted objstore Secret, and the Secret holds an S3 objstore YAML.
        Path objstore = Path.of(flags.get("--objstore.config-file"));
        String mountName = mounts.get(objstore.getParent().toString());
        assertTrue(mountName != null, "--objstore.config-file " + objstore + " is not under a volume mount " + mounts);
        JsonNode vol = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(mountName)) {
                vol = v;
            }
        }
        assertTrue(vol != null && vol.has("secret"), "volume " + mountName + " is a secret volume: " + vol);
        String key = objstore.getFileName().toString();
        for (JsonNode item : vol.at("/secret/items")) {
            if (item.path("path").asText().equals(key)) {
                key = item.path("key").asText();
            }
        }
        JsonNode secret = one(docs, "Secret", vol.at("/secret/secretName").asText());
        assertEquals(NAMESPACE, secret.at("/metadata/namespace").asText());
        assertTrue(secret.path("data").has(key), "secret key " + key + " in " + secret.path("data").fieldNames());
        JsonNode objstoreYaml = DeploymentTool.YAML.readTree(
                Base64.getMimeDecoder().decode(secret.path("data").path(key).asText()));
        assertEquals("S3", objstoreYaml.path("type").asText().toUpperCase());
        for (String f : List.of("bucket", "endpoint", "access_key", "secret_key", "insecure")) {
            assertTrue(objstoreYaml.path("config").has(f), "objstore config." + f);
        }

        // Resources and a non-root security context matching the image's user.
        for (String p : List.of("/resources/requests/cpu", "/resources/requests/memory", "/resources/limits/memory")) {
            assertFalse(c.at(p).asText().isEmpty(), "container " + p);
        }
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), "runAsNonRoot");
        assertEquals(dockerUid(), pod.at("/securityContext/runAsUser").asInt(), "runAsUser = Dockerfile USER");
        assertFalse(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation");

        // Services: the headless one gives Thanos Query its SRV record; both select the pods.
        Map<String, String> podLabels = fields(sts.at("/spec/template/metadata/labels"));
        assertEquals(headless.at("/metadata/name").asText(), sts.at("/spec/serviceName").asText());
        assertEquals("None", headless.at("/spec/clusterIP").asText());
        for (JsonNode s : List.of(svc, headless)) {
            assertTrue(podLabels.entrySet().containsAll(fields(s.at("/spec/selector")).entrySet()),
                    s.at("/metadata/name") + " selector " + s.at("/spec/selector") + " vs pod labels " + podLabels);
            Map<String, Integer> sp = namedPorts(s.at("/spec/ports"), "port");
            assertEquals(ports, sp, s.at("/metadata/name") + " ports");
            for (JsonNode p : s.at("/spec/ports")) {
                assertEquals("TCP", p.path("protocol").asText("TCP"));
                assertTrue(ports.containsKey(p.path("targetPort").asText()) || ports.containsValue(
                        p.path("targetPort").asInt()), "targetPort " + p.path("targetPort"));
            }
        }
        // SRV name: _<port name>._<protocol>.<service>.<namespace>.svc.cluster.local, for the StoreAPI port.
        JsonNode grpcPort = null;
        for (JsonNode p : headless.at("/spec/ports")) {
            if (p.path("port").asInt() == ports.get("grpc")) {
                grpcPort = p;
            }
        }
        assertTrue(grpcPort != null, "headless service exposes the gRPC port");
        String srv = "_" + grpcPort.path("name").asText() + "._" + grpcPort.path("protocol").asText("TCP")
                .toLowerCase() + "." + headless.at("/metadata/name").asText() + "."
                + headless.at("/metadata/namespace").asText() + ".svc.cluster.local";
        assertEquals(SRV_NAME, srv, "dnssrv+ name Thanos Query resolves");

        // Ingress: /api/v1/receive to the remote-write port of the ClusterIP service.
        JsonNode path = ingress.at("/spec/rules/0/http/paths/0");
        assertEquals("/api/v1/receive", path.path("path").asText());
        assertEquals(svc.at("/metadata/name").asText(), path.at("/backend/service/name").asText());
        String backendPort = path.at("/backend/service/port/name").asText();
        assertEquals(19291, namedPorts(svc.at("/spec/ports"), "port").get(backendPort), "ingress backend port");
        assertFalse(ingress.at("/spec/rules/0/host").asText().isEmpty(), "ingress host");
    }

    /** The MinIO version tools/peers.sh pins (its {@code "minio <module> <version> <package>"} line). */
    private static String pinnedMinioVersion() throws IOException {
        for (String line : Files.readAllLines(ROOT.resolve("tools/peers.sh"), StandardCharsets.UTF_8)) {
            String[] f = line.trim().replace("\"", "").split("\\s+");
            if (f.length == 4 && f[0].equals("minio") && f[1].equals("github.com/minio/minio")) {
                return f[2];
            }
        }
        throw new AssertionError("tools/peers.sh pins no MinIO version");
    }

    @Test
    void composeRunsTheStackAgainstMinio() throws IOException {
        JsonNode services = composeConfig().path("services");
        for (String s : List.of("minio", "minio-init", "jreceive", "prometheus-agent-1", "prometheus-agent-2",
                "thanos-query", "thanos-store", "thanos-compactor", "grafana")) {
            assertTrue(services.has(s), "service " + s);
        }
        JsonNode jr = services.path("jreceive");
        assertTrue(jr.at("/build/dockerfile").asText().endsWith("docker/Dockerfile"), "built from docker/Dockerfile");
        assertEquals(ROOT.toString(), Path.of(jr.at("/build/context").asText()).toAbsolutePath().normalize()
                .toString(), "build context is the repository root");
        assertEquals(Set.of(19291, 10901, 10902), targetPorts(jr.path("ports")));
        assertEquals("service_completed_successfully", jr.at("/depends_on/minio-init/condition").asText());

        // Same receiver flags as the StatefulSet except the replica label; objstore YAML mounted as a file.
        List<String> args = texts(jr.path("command"));
        Map<String, String> flags = flags(args);
        assertEquals("6h", flags.get("--tsdb.retention"));
        assertTrue(flags.containsKey("--label"), "--label");
        Map<String, Path> mounts = mounts(jr.path("volumes"));
        Path objstoreFile = mounts.get(flags.get("--objstore.config-file"));
        assertTrue(objstoreFile != null, "--objstore.config-file is a mounted file: " + mounts);
        assertEquals(DOCKER.resolve("config/objstore.yaml"), objstoreFile);
        JsonNode objstore = DeploymentTool.YAML.readTree(objstoreFile.toFile());
        assertEquals("S3", objstore.path("type").asText());
        assertEquals("minio:9000", objstore.at("/config/endpoint").asText());
        assertTrue(objstore.at("/config/insecure").asBoolean(), "insecure (plain HTTP to MinIO)");
        assertEquals("path", objstore.at("/config/bucket_lookup_type").asText(), "path-style requests");
        String bucket = objstore.at("/config/bucket").asText();
        // MinIO is the local image built from the peer binary (tools/podman.sh minio tags it with the version
        // pinned in tools/peers.sh); minio-init makes the bucket a directory of MinIO's data volume before it starts.
        String minioImage = "localhost/jreceive-minio:" + pinnedMinioVersion();
        assertEquals(minioImage, services.at("/minio/image").asText());
        assertEquals(minioImage, services.at("/minio-init/image").asText());
        assertEquals("service_completed_successfully",
                services.at("/minio/depends_on/minio-init/condition").asText());
        String init = String.join(" ", texts(services.at("/minio-init/entrypoint")));
        assertEquals("/data", texts(services.at("/minio/command")).get(1), "MinIO serves /data");
        String dataVolume = volume(services.at("/minio/volumes/0"));
        assertEquals("minio-data:/data", dataVolume);
        assertEquals(dataVolume, volume(services.at("/minio-init/volumes/0")), "minio-init mounts MinIO's data");
        assertTrue(init.contains("mkdir -p /data/" + bucket), "minio-init creates " + bucket + ": " + init);
        assertEquals(objstore.at("/config/access_key").asText(),
                services.at("/minio/environment/MINIO_ROOT_USER").asText());
        assertEquals(objstore.at("/config/secret_key").asText(),
                services.at("/minio/environment/MINIO_ROOT_PASSWORD").asText());

        // Two agents with cluster/environment external labels remote-writing to jreceive.
        Set<String> clusters = new TreeSet<>();
        for (String a : List.of("prometheus-agent-1", "prometheus-agent-2")) {
            JsonNode agent = services.path(a);
            assertEquals("prom/prometheus:v3.7.2", agent.path("image").asText());
            Map<String, String> af = flags(texts(agent.path("command")));
            assertTrue(af.containsKey("--agent"), a + " runs in agent mode");
            Path config = mounts(agent.path("volumes")).get(af.get("--config.file"));
            assertTrue(config != null, a + " config file is mounted");
            JsonNode prom = DeploymentTool.YAML.readTree(config.toFile());
            JsonNode ext = prom.at("/global/external_labels");
            assertTrue(ext.has("cluster") && ext.has("environment"), a + " external labels " + ext);
            clusters.add(ext.path("cluster").asText());
            assertEquals(REMOTE_WRITE_URL, prom.at("/remote_write/0/url").asText());
        }
        assertEquals(2, clusters.size(), "distinct cluster labels " + clusters);

        // Thanos Query over jreceive and Store; Store and Compactor on the same bucket file.
        for (String t : List.of("thanos-query", "thanos-store", "thanos-compactor")) {
            assertEquals(THANOS_IMAGE, services.at("/" + t + "/image").asText());
        }
        List<String> query = texts(services.at("/thanos-query/command"));
        assertTrue(query.contains("--endpoint=jreceive:10901") && query.contains("--endpoint=thanos-store:10901"),
                "query endpoints " + query);
        for (String t : List.of("thanos-store", "thanos-compactor")) {
            Map<String, String> tf = flags(texts(services.at("/" + t + "/command")));
            assertEquals(objstoreFile, mounts(services.at("/" + t + "/volumes")).get(tf.get("--objstore.config-file")),
                    t + " uses the same objstore file");
        }

        // Grafana: Thanos Query datasource and the dashboard file.
        Map<String, Path> gm = mounts(services.at("/grafana/volumes"));
        assertTrue(gm.containsValue(DOCKER.resolve("grafana/jreceive.json")), "dashboard mounted: " + gm);
        JsonNode ds = DeploymentTool.YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/thanos.yaml")
                .toFile());
        assertEquals("http://thanos-query:" + port(flags(query).get("--http-address")),
                ds.at("/datasources/0/url").asText());
    }

    /**
     * The ring overlay: three replicas whose hashring ConfigMap names exactly the pods' stable DNS names under the
     * headless service on the gRPC port, each pod's {@code --receive.local-endpoint} expanding to its own entry,
     * the ConfigMap mounted where {@code --receive.hashrings-file} points, and a distinct replica label per pod.
     */
    @Test
    void ringOverlayNamesEveryPodByItsStableDnsName() throws IOException {
        List<JsonNode> docs = kubectl().renderYaml(ROOT, "kustomize", RING_OVERLAY);
        JsonNode sts = one(docs, "StatefulSet", "thanos-receiver");
        JsonNode cm = one(docs, "ConfigMap", "thanos-receiver-hashrings");
        int replicas = sts.at("/spec/replicas").asInt();
        assertEquals(3, replicas);
        String service = sts.at("/spec/serviceName").asText();
        one(docs, "Service", service);
        JsonNode c = onlyContainer(sts);
        List<io.jreceive.ring.HashringConfig> rings = io.jreceive.ring.HashringsParser.parse(
                cm.at("/data/hashrings.json").asText());
        assertEquals(1, rings.size());
        List<String> endpoints = rings.get(0).endpoints().stream().map(io.jreceive.ring.Endpoint::address).toList();
        java.util.Set<String> labels = new java.util.HashSet<>();
        for (int i = 0; i < replicas; i++) {
            String pod = sts.at("/metadata/name").asText() + "-" + i;
            Map<String, String> f = flags(expandEnv(texts(c.path("args")), c, pod));
            String self = pod + "." + service + "." + NAMESPACE + ".svc.cluster.local:" + port(f.get("--grpc-address"));
            assertEquals(self, f.get("--receive.local-endpoint"));
            assertEquals(self, endpoints.get(i), "ring entry " + i);
            assertTrue(labels.add(f.get("--label")), "replica label per pod: " + f.get("--label"));
            assertEquals("3", f.get("--receive.replication-factor"));
            String file = f.get("--receive.hashrings-file");
            boolean mounted = false;
            for (JsonNode m : c.path("volumeMounts")) {
                if (file.equals(m.path("mountPath").asText() + "/hashrings.json")) {
                    for (JsonNode v : sts.at("/spec/template/spec/volumes")) {
                        mounted |= v.path("name").asText().equals(m.path("name").asText())
                                && v.at("/configMap/name").asText().equals("thanos-receiver-hashrings");
                    }
                }
            }
            assertTrue(mounted, "the hashring ConfigMap is mounted at " + file);
        }
        assertEquals(replicas, endpoints.size());
    }

    /**
     * The compose stack's {@code ring} profile: three jreceive nodes whose hashring file (mounted where each node's
     * {@code --receive.hashrings-file} points) names exactly the nodes' service names on their gRPC ports, each
     * node's {@code --receive.local-endpoint} its own entry, replication factor 3 with a distinct replica label
     * and data volume per node; Thanos Query deduplicates by that label over all three, and the ring's agent
     * writes to a ring node's remote-write port. Only in the profile: a plain {@code up} starts none of it.
     */
    @Test
    void composeRingProfileIsOneHashringOfThreeNodes() throws IOException {
        JsonNode services = composeConfig().path("services");
        List<String> nodes = List.of("jreceive-ring-0", "jreceive-ring-1", "jreceive-ring-2");
        Path hashrings = null;
        Set<String> labels = new TreeSet<>();
        Set<String> volumes = new TreeSet<>();
        List<String> selves = new ArrayList<>();
        for (String n : nodes) {
            JsonNode node = services.path(n);
            assertEquals(List.of("ring"), texts(node.path("profiles")), n + " is in the ring profile only");
            Map<String, String> f = flags(texts(node.path("command")));
            String self = n + ":" + port(f.get("--grpc-address"));
            assertEquals(self, f.get("--receive.local-endpoint"), n);
            selves.add(self);
            assertEquals("3", f.get("--receive.replication-factor"), n);
            assertEquals("ketama", f.get("--receive.hashrings-algorithm"), n);
            assertTrue(labels.add(f.get("--label")), "replica label per node: " + f.get("--label"));
            assertTrue(f.get("--label").startsWith("receive_replica="), f.get("--label"));
            Map<String, Path> m = mounts(node.path("volumes"));
            Path file = m.get(f.get("--receive.hashrings-file"));
            assertTrue(file != null, n + " mounts the hashring file at " + f.get("--receive.hashrings-file"));
            assertTrue(hashrings == null || hashrings.equals(file), "one hashring file for all nodes");
            hashrings = file;
            assertEquals(DOCKER.resolve("config/objstore.yaml"), m.get(f.get("--objstore.config-file")), n);
            volumes.add(volume(node.path("volumes").get(0)));
        }
        assertEquals(3, volumes.size(), "a data volume per node: " + volumes);
        List<io.jreceive.ring.HashringConfig> rings = io.jreceive.ring.HashringsParser.parse(
                Files.readString(hashrings));
        assertEquals(1, rings.size());
        assertEquals(selves, rings.get(0).endpoints().stream().map(io.jreceive.ring.Endpoint::address).toList());

        List<String> query = texts(services.at("/thanos-query-ring/command"));
        assertEquals("receive_replica", flags(query).get("--query.replica-label"));
        for (String self : selves) {
            assertTrue(query.contains("--endpoint=" + self), "query-ring endpoints " + query);
        }
        JsonNode agent = services.path("prometheus-agent-ring");
        Map<String, String> af = flags(texts(agent.path("command")));
        JsonNode prom = DeploymentTool.YAML.readTree(mounts(agent.path("volumes")).get(af.get("--config.file"))
                .toFile());
        URI url = URI.create(prom.at("/remote_write/0/url").asText());
        Map<String, String> target = flags(texts(services.path(url.getHost()).path("command")));
        assertEquals(selves.get(0).replace(":10901", ""), url.getHost(), "the agent writes to a ring node");
        assertEquals(port(target.get("--remote-write.address")), url.getPort());
        for (String s : List.of("prometheus-agent-ring", "thanos-query-ring")) {
            assertEquals(List.of("ring"), texts(services.path(s).path("profiles")), s + " is in the ring profile");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (b) the jar with the manifests' arguments

    @Test
    void statefulSetArgumentsStartTheJar(@TempDir Path tmp) throws Exception {
        JsonNode sts = one(kustomize(), "StatefulSet", "thanos-receiver");
        JsonNode c = onlyContainer(sts);
        List<String> args = expandEnv(texts(c.path("args")), c, sts.at("/metadata/name").asText() + "-0");
        assertTrue(args.contains("--label=receive_replica=\"thanos-receiver-0\""), "downward API expansion " + args);
        try (DeploymentJar jar = DeploymentJar.start(args, words(env(c, "JAVA_OPTS").path("value").asText()), tmp)) {
            readyThenSigterm(jar);
        }
    }

    @Test
    void composeArgumentsStartTheJar(@TempDir Path tmp) throws Exception {
        JsonNode jr = composeConfig().at("/services/jreceive");
        List<String> args = texts(jr.path("command"));
        try (DeploymentJar jar = DeploymentJar.start(args, words(jr.at("/environment/JAVA_OPTS").asText()), tmp)) {
            readyThenSigterm(jar);
        }
    }

    /**
     * The benchmarks (side-by-side.sh, restart.sh, through the servers.sh they share) measure jreceive with the
     * image's JVM settings, not with flags of their own.
     */
    @Test
    void benchmarkRunsTheImagesJvmSettings() throws Exception {
        Dockerfile df = Dockerfile.read();
        String script = Files.readString(ROOT.resolve("benchmarks/servers.sh"));
        Matcher opts = Pattern.compile("JRECEIVE_JAVA_OPTS=\\$\\{JRECEIVE_JAVA_OPTS:-([^}]*)}").matcher(script);
        Matcher arenas = Pattern.compile("JRECEIVE_MALLOC_ARENA_MAX=\\$\\{JRECEIVE_MALLOC_ARENA_MAX:-([^}]*)}")
                .matcher(script);
        assertTrue(opts.find() && arenas.find(), "servers.sh defaults for JRECEIVE_JAVA_OPTS / MALLOC_ARENA_MAX");
        // The image sizes the heap from the container limit; the script fixes it as in an 8 GiB container.
        assertEquals(df.env.get("JAVA_OPTS").replace("-XX:MaxRAMPercentage=50", "-Xmx4g -Xms128m"), opts.group(1));
        assertEquals(df.env.get("MALLOC_ARENA_MAX"), arenas.group(1));
    }

    @Test
    void dockerfileEntrypointAndCmdStartTheJar(@TempDir Path tmp) throws Exception {
        Dockerfile df = Dockerfile.read();
        // The AOT cache the build trains on a JDK 25 runtime (tools/aot-cache.sh, AotCacheIT) is used when it is
        // there; here, as in an image built on an older runtime, there is none and java starts without it.
        assertEquals(List.of("/bin/sh", "-c", "aot=; [ -f /jreceive.aot ] && aot=-XX:AOTCache=/jreceive.aot; "
                + "exec java $aot $JAVA_OPTS -jar " + df.jar + " \"$@\"", "jreceive"), df.entrypoint, "ENTRYPOINT");
        try (DeploymentJar jar = DeploymentJar.startEntrypoint(df.entrypoint, df.jar, df.env.get("JAVA_OPTS"), df.cmd,
                tmp)) {
            jar.awaitReady();
            // The HEALTHCHECK command, run as the image would, against this receiver's HTTP port.
            assertEquals(0, healthcheck(df, jar.port("--http-address")), "HEALTHCHECK on a ready receiver");
            readyThenSigterm(jar);
            assertNotEquals(0, healthcheck(df, jar.port("--http-address")), "HEALTHCHECK on a stopped receiver");
        }
    }

    private static void readyThenSigterm(DeploymentJar jar) throws Exception {
        jar.awaitReady();
        assertEquals(200, jar.get("/-/healthy").statusCode(), "/-/healthy");
        int exit = jar.stop();
        String log = jar.logText();
        assertTrue(log.contains("shutdown complete"), "clean shutdown after SIGTERM\n--- log\n" + log);
        // Thanos flushes and exits 0 on SIGTERM; so must the drop-in.
        assertEquals(0, exit, "exit code after SIGTERM\n--- log\n" + log);
        System.out.println("[DeploymentManifestsIT] SIGTERM exit code " + exit + " for args " + jar.args);
    }

    private static int healthcheck(Dockerfile df, int port) throws Exception {
        List<String> cmd = new ArrayList<>();
        for (String a : df.healthcheck) {
            cmd.add(a.replace("/dev/tcp/127.0.0.1/" + df.httpPort(), "/dev/tcp/127.0.0.1/" + port));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("HEALTHCHECK command did not finish in 10s: " + cmd);
        }
        return p.exitValue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // (c) dashboard metrics against /metrics

    @Test
    void dashboardQueriesOnlyExportedMetrics(@TempDir Path tmp) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/jreceive.json").toFile());
        Map<String, List<DeploymentMetrics.Selector>> wanted =
                DeploymentMetrics.byMetric(DeploymentMetrics.expressions(dashboard));
        assertTrue(wanted.size() > 10, "dashboard queries " + wanted.keySet());

        // The production configuration (the StatefulSet's flags, objstore on), with a little load.
        JsonNode sts = one(kustomize(), "StatefulSet", "thanos-receiver");
        JsonNode c = onlyContainer(sts);
        List<String> args = expandEnv(texts(c.path("args")), c, "thanos-receiver-0");
        Map<String, DeploymentMetrics.Exported> exported;
        try (DeploymentJar jar = DeploymentJar.start(args, List.of(), tmp)) {
            jar.awaitReady();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 3; i++) {
                RemoteWriteRequests rw = new RemoteWriteRequests();
                for (int s = 0; s < 5; s++) {
                    rw.series(Labels.of("__name__", "up", "cluster", "cluster-0" + (i + 1), "job", "node",
                            "instance", "host-" + s), now + i * 1000L, 1);
                }
                HttpResponse<String> r = i == 2 ? jar.post(rw.v1(), "THANOS-TENANT", "team-b") : jar.post(rw.v1());
                assertEquals(200, r.statusCode(), "remote write " + i + ": " + r.body());
            }
            io.grpc.ManagedChannel ch = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
                    jar.ports.get("--grpc-address")).usePlaintext().build();
            try {
                io.jreceive.proto.thanos.info.InfoGrpc.newBlockingStub(ch)
                        .info(io.jreceive.proto.thanos.info.InfoRequest.getDefaultInstance());
            } finally {
                ch.shutdownNow().awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            HttpResponse<String> bad = jar.post("not snappy".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, bad.statusCode(), "undecodable body");
            HttpResponse<String> metrics = jar.get("/metrics");
            assertEquals(200, metrics.statusCode());
            exported = DeploymentMetrics.parseExposition(metrics.body());
        }

        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<DeploymentMetrics.Selector>> e : wanted.entrySet()) {
            String name = e.getKey();
            DeploymentMetrics.Exported have = exported.get(name);
            if (have == null) {
                missing.add(name + " in " + e.getValue().get(0).expr());
                continue;
            }
            for (DeploymentMetrics.Selector s : e.getValue()) {
                for (String l : s.literalLabels()) {
                    if (!have.labels().contains(l)) {
                        missing.add(name + " has no label " + l + " (labels " + have.labels() + ") in " + s.expr());
                    }
                }
                for (String pair : s.equalities()) {
                    if (!have.pairs().contains(pair)) {
                        missing.add(name + " has no series with " + pair + " in " + s.expr());
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "dashboard queries metrics /metrics does not have:\n  "
                + String.join("\n  ", missing));
        // Label grouping: every `by (...)` label that is not a scrape/target label exists on a metric it groups.
        Set<String> targetLabels = Set.of("instance", "job", "cluster", "environment");
        Pattern by = Pattern.compile("by \\(([^)]*)\\) \\(([a-z_]+\\()*([a-zA-Z_:][a-zA-Z0-9_:]*)");
        for (String expr : DeploymentMetrics.expressions(dashboard)) {
            Matcher m = by.matcher(expr);
            while (m.find()) {
                String metric = m.group(3);
                DeploymentMetrics.Exported have = exported.get(metric);
                if (have == null) {
                    continue;
                }
                for (String l : m.group(1).split(",")) {
                    l = l.trim();
                    if (!targetLabels.contains(l) && !(l.equals("le") && metric.endsWith("_bucket"))) {
                        assertTrue(have.labels().contains(l), metric + " has no label " + l + " to group by in " + expr);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (d) Dockerfile and README agree

    @Test
    void dockerfileCommandsMatchReadme() throws IOException {
        Dockerfile df = Dockerfile.read();
        List<String> readme = codeLines(Files.readString(DOCKER.resolve("README.md"), StandardCharsets.UTF_8));
        assertTrue(readme.contains(df.buildCommand), "README shows the Dockerfile's build command: "
                + df.buildCommand);
        assertTrue(readme.contains(df.runCommand), "README shows the Dockerfile's run command: " + df.runCommand);
        String composeUp = composeHeaderCommand();
        assertTrue(readme.contains(composeUp), "README shows compose.yaml's start command: " + composeUp);

        // The build command builds this Dockerfile from the repository root, whose COPY sources all exist.
        List<String> build = words(df.buildCommand);
        assertEquals("docker/Dockerfile", build.get(build.indexOf("-f") + 1));
        assertEquals(".", build.get(build.size() - 1), "context is the repository root");
        for (String src : df.copySources) {
            assertTrue(Files.exists(ROOT.resolve(src)), "COPY source " + src + " exists in the build context");
        }
        // The run command runs the image the build command tags, publishing exactly the exposed ports.
        String tag = build.get(build.indexOf("-t") + 1);
        List<String> run = words(df.runCommand);
        assertTrue(run.contains(tag), "run uses the built tag " + tag);
        Set<Integer> published = new TreeSet<>();
        for (int i = 0; i < run.size(); i++) {
            if (run.get(i).equals("-p")) {
                published.add(Integer.parseInt(run.get(i + 1).substring(run.get(i + 1).lastIndexOf(':') + 1)));
            }
        }
        assertEquals(df.expose, published, "run publishes the EXPOSEd ports");
        assertEquals(Set.of(19291, 10901, 10902), df.expose);
        // The CMD defaults listen on the exposed ports and keep data in the image's /data volume.
        Map<String, String> flags = flags(df.cmd);
        assertEquals(df.expose, Set.of(port(flags.get("--remote-write.address")), port(flags.get("--grpc-address")),
                port(flags.get("--http-address"))));
        assertEquals("/data", flags.get("--tsdb.path"));
        // The README's image swap names the Thanos image it replaces.
        String text = Files.readString(DOCKER.resolve("README.md"), StandardCharsets.UTF_8);
        assertTrue(text.contains("-          image: " + THANOS_IMAGE), "README image swap shows the removed line");
    }

    private static String composeHeaderCommand() throws IOException {
        for (String l : Files.readAllLines(DOCKER.resolve("compose.yaml"))) {
            Matcher m = Pattern.compile("^# Start from the repository root:\\s+(.+)$").matcher(l);
            if (m.matches()) {
                return m.group(1).trim();
            }
        }
        throw new AssertionError("compose.yaml has no '# Start from the repository root:' line");
    }

    /** Lines inside fenced code blocks of a Markdown text, trimmed, without a leading {@code $ } prompt. */
    static List<String> codeLines(String markdown) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : markdown.split("\n")) {
            if (l.trim().startsWith("```")) {
                in = !in;
                continue;
            }
            if (in) {
                String t = l.trim();
                out.add(t.startsWith("$ ") ? t.substring(2) : t);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dockerfile reading

    /** What the tests need from docker/Dockerfile, read from its instructions and header comment. */
    static final class Dockerfile {
        String buildCommand;
        String runCommand;
        final Map<String, String> env = new LinkedHashMap<>();
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();
        List<String> healthcheck = List.of();
        final Set<Integer> expose = new TreeSet<>();
        final List<String> copySources = new ArrayList<>();
        String jar;
        int uid = -1;

        static Dockerfile read() throws IOException {
            Dockerfile d = new Dockerfile();
            ObjectMapper json = new ObjectMapper();
            List<String> instructions = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String line : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
                if (line.startsWith("# build: ")) {
                    d.buildCommand = line.substring("# build: ".length()).trim();
                } else if (line.startsWith("# run: ")) {
                    d.runCommand = line.substring("# run: ".length()).trim();
                }
                if (line.trim().startsWith("#") || (cur.length() == 0 && line.isBlank())) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    cur.append(line, 0, line.length() - 1).append(' ');
                } else {
                    instructions.add(cur.append(line).toString().trim());
                    cur.setLength(0);
                }
            }
            for (String ins : instructions) {
                String[] kw = ins.split("\\s+", 2);
                String rest = kw.length > 1 ? kw[1].trim() : "";
                switch (kw[0]) {
                    case "ENV" -> {
                        Matcher m = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(rest);
                        while (m.find()) {
                            d.env.put(m.group(1), m.group(2));
                        }
                    }
                    case "ENTRYPOINT" -> d.entrypoint = List.of(json.readValue(rest, String[].class));
                    case "CMD" -> d.cmd = List.of(json.readValue(rest, String[].class));
                    case "HEALTHCHECK" -> d.healthcheck = List.of(json.readValue(
                            rest.substring(rest.indexOf("CMD ") + 4).trim(), String[].class));
                    case "EXPOSE" -> {
                        for (String p : rest.split("\\s+")) {
                            d.expose.add(Integer.parseInt(p));
                        }
                    }
                    case "USER" -> d.uid = Integer.parseInt(rest.split(":")[0]);
                    case "COPY" -> {
                        List<String> w = words(rest);
                        if (w.get(0).startsWith("--from=")) {
                            d.jar = w.get(w.size() - 1);
                        } else {
                            d.copySources.addAll(w.subList(0, w.size() - 1));
                        }
                    }
                    default -> {
                    }
                }
            }
            assertTrue(d.buildCommand != null && d.runCommand != null, "Dockerfile header has # build: and # run:");
            assertTrue(d.env.containsKey("JAVA_OPTS"), "Dockerfile sets JAVA_OPTS");
            assertTrue(d.jar != null && !d.cmd.isEmpty() && !d.healthcheck.isEmpty(), "jar, CMD and HEALTHCHECK");
            return d;
        }

        int httpPort() {
            return port(flags(cmd).get("--http-address"));
        }
    }

    private static int dockerUid() throws IOException {
        int uid = Dockerfile.read().uid;
        assertTrue(uid > 0, "Dockerfile USER is a non-root uid");
        return uid;
    }

    // ---------------------------------------------------------------------------------------------------------
    // YAML and argument helpers

    static JsonNode one(List<JsonNode> docs, String kind, String name) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode d : docs) {
            if (kind.equals(d.path("kind").asText()) && name.equals(d.at("/metadata/name").asText())) {
                found.add(d);
            }
        }
        assertEquals(1, found.size(), kind + "/" + name + " rendered once");
        return found.get(0);
    }

    static JsonNode onlyContainer(JsonNode workload) {
        JsonNode cs = workload.at("/spec/template/spec/containers");
        assertEquals(1, cs.size(), "one container");
        return cs.get(0);
    }

    static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("container env " + name + " missing");
    }

    static Map<String, Integer> namedPorts(JsonNode ports, String field) {
        Map<String, Integer> out = new TreeMap<>();
        for (JsonNode p : ports) {
            out.put(p.path("name").asText(), p.path(field).asInt());
        }
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Map<String, String> fields(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** {@code --flag=value} arguments as a map ({@code --flag} alone maps to ""); positional words are skipped. */
    static Map<String, String> flags(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                out.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
            }
        }
        return out;
    }

    static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** Kubernetes' {@code $(VAR)} expansion of container args from the container's env (values and pod name). */
    static List<String> expandEnv(List<String> args, JsonNode container, String podName) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.has("value")) {
                vars.put(e.path("name").asText(), e.path("value").asText());
            } else if ("metadata.name".equals(e.at("/valueFrom/fieldRef/fieldPath").asText())) {
                vars.put(e.path("name").asText(), podName);
            }
        }
        List<String> out = new ArrayList<>();
        Pattern ref = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
        for (String a : args) {
            Matcher m = ref.matcher(a);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = vars.get(m.group(1));
                assertTrue(v != null, "arg " + a + " references $(" + m.group(1) + ") which the test cannot expand");
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }

    /** Compose port entries (long syntax from `config`, or short "host:container") as container ports. */
    static Set<Integer> targetPorts(JsonNode ports) {
        Set<Integer> out = new TreeSet<>();
        for (JsonNode p : ports) {
            if (p.isObject()) {
                out.add(p.path("target").asInt());
            } else {
                out.add(port(p.asText()));
            }
        }
        return out;
    }

    /** Compose volume entries of bind mounts as container path to host path (short or long syntax). */
    /** A volume entry as {@code source:target}, from either of the forms docker-compose renders. */
    static String volume(JsonNode v) {
        if (v.isObject()) {
            return v.path("source").asText() + ":" + v.path("target").asText();
        }
        String[] parts = v.asText().split(":");
        return parts[0] + ":" + (parts.length > 1 ? parts[1] : parts[0]);
    }

    static Map<String, Path> mounts(JsonNode volumes) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (JsonNode v : volumes) {
            String source;
            String target;
            if (v.isObject()) {
                source = v.path("source").asText();
                target = v.path("target").asText();
            } else {
                String[] parts = v.asText().split(":");
                source = parts[0];
                target = parts.length > 1 ? parts[1] : parts[0];
            }
            if (source.startsWith(File.separator)) {
                out.put(target, Path.of(source).normalize());
            }
        }
        return out;
    }
}
