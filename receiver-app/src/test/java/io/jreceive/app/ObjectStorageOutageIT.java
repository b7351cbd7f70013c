package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.MinioProcess;
import io.jreceive.testing.Peers;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.S3ProxyFixture;
import io.jreceive.testing.S3Server;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 outage delays uploads and loses no block: with S3 (S3Proxy in-process, or a real MinIO forked from the binary
 * {@code tools/peers.sh} builds; SigV4) down while ten hours of data are cut into
 * blocks, every write is still answered 200, retention deletes no block that is not uploaded, and the state shows
 * in the shipper metrics; once S3 is back, every block arrives exactly once, retention then removes the old local
 * copies, the samples in the bucket's blocks add up to exactly what was acknowledged, and a block downloaded back
 * from the bucket passes the real {@code promtool tsdb analyze --extended}. Over MinIO, the real
 * {@code thanos tools bucket verify} (index known issues, overlapped blocks) then finds every block sound.
 */
class ObjectStorageOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Set<String> localBlocks(Path tenant) throws Exception {
        try (Stream<Path> s = Files.list(tenant)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(Ulid::isValid).toList());
        }
    }

    /** ULIDs with a meta.json in the bucket (meta.json is uploaded last: the block is complete). */
    private static Set<String> shippedBlocks(S3Client s3, String bucket) {
        Set<String> out = new TreeSet<>();
        for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                .bucket(bucket).build()).contents()) {
            if (o.key().endsWith("/meta.json")) {
                out.add(o.key().substring(0, o.key().indexOf('/')));
            }
        }
        return out;
    }

    /**
     * {@code thanos tools bucket verify} with its default issues (index_known_issues downloads and checks every
     * block's index and chunks; overlapped_blocks) over the bucket: "no issue" (logged at debug) for every block.
     */
    private void thanosVerify(Path objstore, Set<String> shipped) throws Exception {
        Optional<Path> thanos = Peers.find("thanos");
        if (thanos.isEmpty()) {
            System.err.println("ObjectStorageOutageIT: thanos peer missing, bucket verify not run"
                    + " (build it with tools/peers.sh thanos)");
            return;
        }
        Path log = tmp.resolve("thanos-verify.log");
        Process p = new ProcessBuilder(thanos.get().toString(), "tools", "bucket", "verify",
                "--objstore.config-file=" + objstore, "--log.level=debug")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("thanos tools bucket verify did not finish in 120 s: " + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("detected issue"), out);
        for (String ulid : shipped) {
            assertTrue(out.contains("msg=\"no issue\" id=" + ulid), ulid + " verified: " + out);
        }
    }

    private static double metric(String text, String name) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "minio"})
    void outageDelaysUploadsAndLosesNoBlock(String server) throws Exception {
        Promtool promtool = Promtool.require();
        Path data = tmp.resolve("data");
        Path tenant = data.resolve("default-tenant");
        try (S3Server s3 = server.equals("minio") ? MinioProcess.create() : S3ProxyFixture.create()) {
            String bucket = s3.bucket();
            s3.start();
            Path objstore = tmp.resolve("objstore.yaml");
            Files.writeString(objstore, s3.objstoreYaml());
            long start = (System.currentTimeMillis() / 7_200_000L) * 7_200_000L - 11 * 3_600_000L;
            DeterministicLoad load = new DeterministicLoad(30, start, 60_000);
            int rounds = 10 * 60;
            try (JreceiveProcess rx = JreceiveProcess.start(data, "--objstore.config-file=" + objstore,
                    "--tsdb.retention=2h", "--tsdb.compaction-interval=300ms")) {
                s3.stop();
                List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
                // One writer: with two, one starved by a busy machine could fall an hour of sample time behind
                // the other, and its samples are then rightly refused (409 out of bounds) once the head is cut.
                load.run(1, 0, rounds, body -> {
                    try {
                        HttpResponse<String> r = rx.post(body);
                        if (r.statusCode() / 100 != 2) {
                            refused.add(r.statusCode() + " " + r.body());
                        }
                        return r;
                    } catch (RuntimeException e) {
                        refused.add(e.toString());
                        throw e;
                    }
                });
                assertEquals(30 * rounds, load.acknowledged().size(),
                        () -> "every write answered 2xx during the outage: " + refused);
                Thread.sleep(3000);
                Set<String> cut = localBlocks(tenant);
                assertTrue(cut.size() >= 4, "blocks cut during the outage: " + cut);
                String m = rx.metrics();
                assertTrue(metric(m, "jreceive_shipper_blocks_waiting") >= cut.size() - 1, m);
                assertTrue(metric(m, "thanos_shipper_upload_failures_total") > 0, "failures counted");
                Thread.sleep(2000);
                assertEquals(cut, localBlocks(tenant), "retention deleted no block that is not uploaded");

                s3.start();
                try (S3Client client = s3.client()) {
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while (!shippedBlocks(client, bucket).containsAll(cut) && System.nanoTime() < deadline) {
                        Thread.sleep(1000);
                    }
                    Set<String> shipped = shippedBlocks(client, bucket);
                    assertTrue(shipped.containsAll(cut), "all blocks shipped after the outage: " + shipped);
                    Thread.sleep(2000);
                    assertEquals(shipped.size(), (int) metric(rx.metrics(), "thanos_shipper_uploads_total"),
                            "each block uploaded exactly once");
                    Set<String> remaining = localBlocks(tenant);
                    assertTrue(remaining.size() < cut.size(), "retention removed uploaded old blocks: " + remaining);
                }
                assertEquals(0, rx.stop(), "SIGTERM: flush, final upload, exit 0");
            }
            try (S3Client client = s3.client()) {
                Set<String> shipped = shippedBlocks(client, bucket);
                assertTrue(shipped.containsAll(localBlocks(tenant)), "the final blocks are uploaded at shutdown");
                long samples = 0;
                for (String ulid : shipped) {
                    JsonNode meta = JSON.readTree(client.getObjectAsBytes(GetObjectRequest.builder()
                            .bucket(bucket).key(ulid + "/meta.json").build()).asByteArray());
                    assertEquals("default-tenant", meta.at("/thanos/labels/tenant_id").asText());
                    samples += meta.at("/stats/numSamples").asLong();
                }
                assertEquals(load.acknowledged().size(), samples, "bucket blocks hold every acknowledged sample once");

                // A block downloaded back from S3 is one real Prometheus tooling reads: analyze reads every chunk.
                String ulid = shipped.iterator().next();
                Path downloaded = tmp.resolve("downloaded");
                for (String key : List.of("meta.json", "index", "chunks/000001")) {
                    Path to = downloaded.resolve(ulid).resolve(key);
                    Files.createDirectories(to.getParent());
                    Files.write(to, client.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket)
                            .key(ulid + "/" + key).build()).asByteArray());
                }
                Promtool.Result analyze = promtool.analyzeExtended(downloaded, ulid);
                assertTrue(analyze.ok(), analyze.toString());
                if (server.equals("minio")) {
                    thanosVerify(objstore, shipped);
                }
            }
        }
    }
}
