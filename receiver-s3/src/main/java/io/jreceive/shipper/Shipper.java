package io.jreceive.shipper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jreceive.objstore.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads one tenant's finished TSDB blocks to the bucket, as the Thanos Receive shipper does. Each {@link #sync()}:
 * <ol>
 * <li>reads {@code thanos.shipper.json} (missing or unreadable: nothing recorded);</li>
 * <li>lists the ULID-named block directories, reads their {@code meta.json} and walks them oldest
 * {@code minTime} first;</li>
 * <li>keeps recorded blocks, skips empty ({@code stats.numSamples == 0}) and compacted ({@code level > 1}) ones,
 * records blocks whose {@code <ULID>/meta.json} the bucket already has, and uploads the rest: {@code chunks/*},
 * then {@code index}, then {@code meta.json} last with its {@code thanos} section filled in (labels, source
 * {@code receive}, segment files, file list, raw resolution); tombstones are never uploaded, and if chunks or
 * index fail, the objects already sent are deleted again;</li>
 * <li>stops at the first failure, so newer blocks wait for the next sync;</li>
 * <li>rewrites {@code thanos.shipper.json} with the recorded blocks that still exist locally.</li>
 * </ol>
 * Unlike Thanos, the shipper file is rewritten after a failed sync too, so blocks uploaded before the failure count
 * as uploaded for retention at once. {@link #uploaded()} is what retention must consult: a local block may be
 * deleted only once it is in that set. One shipper serves one tenant; calls are serialised.
 */
public final class Shipper implements AutoCloseable {
    /** Uploads completed; Thanos' name. */
    public static final String UPLOADS = "thanos_shipper_uploads_total";
    /** Blocks that failed to ship (the exists check or the upload); Thanos' name. */
    public static final String UPLOAD_FAILURES = "thanos_shipper_upload_failures_total";
    /** Syncs that completed; Thanos' name. */
    public static final String DIR_SYNCS = "thanos_shipper_dir_syncs_total";
    /** Syncs that stopped on an error; Thanos' name. */
    public static final String DIR_SYNC_FAILURES = "thanos_shipper_dir_sync_failures_total";
    /** Unix time in seconds of the last block uploaded, 0 before the first; Thanos' name. */
    public static final String LAST_SUCCESSFUL_UPLOAD_TIME = "thanos_shipper_last_successful_upload_time";
    /** Local blocks due for upload and not yet in the bucket after the last sync; jreceive only. */
    public static final String BLOCKS_WAITING = "jreceive_shipper_blocks_waiting";
    /** The {@code thanos.source} of every block Receive uploads. */
    public static final String SOURCE = "receive";

    private static final Logger LOG = LoggerFactory.getLogger(Shipper.class);

    private final Path dir;
    private final String tenant;
    private final Bucket bucket;
    /** Read at each upload: a hashring reload may change a tenant's labels while the shipper runs. */
    private final Supplier<Map<String, String>> labels;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Counter uploads;
    private final Counter uploadFailures;
    private final Counter dirSyncs;
    private final Counter dirSyncFailures;
    private final AtomicLong lastUploadMillis = new AtomicLong();
    private final AtomicLong waiting = new AtomicLong();
    private final List<Meter> meters = new ArrayList<>();
    private volatile Set<String> uploaded;
    private boolean failing;

    /**
     * A shipper for the tenant whose TSDB lives in {@code tenantDir} ({@code <tsdb.path>/<tenant>}).
     *
     * @param tenantDir      the tenant directory; its name is the {@code tenant} tag of the metrics
     * @param bucket         where blocks go
     * @param externalLabels the tenant's external labels ({@code --label}s plus the tenant label), written to
     *                       {@code thanos.labels}; must not be empty
     * @param clock          the time source of {@link #LAST_SUCCESSFUL_UPLOAD_TIME}
     * @param registry       where the shipper's meters are registered, tagged {@code tenant}
     */
    public Shipper(Path tenantDir, Bucket bucket, Map<String, String> externalLabels, Clock clock,
                   MeterRegistry registry) {
        this(tenantDir, bucket, fixed(externalLabels), clock, registry);
    }

    private static Supplier<Map<String, String>> fixed(Map<String, String> labels) {
        Map<String, String> copy = Map.copyOf(labels);
        return () -> copy;
    }

    /**
     * A shipper whose {@code thanos.labels} are read from {@code externalLabels} at each upload, as Thanos' shipper
     * calls its labels function.
     */
    public Shipper(Path tenantDir, Bucket bucket, Supplier<Map<String, String>> externalLabels, Clock clock,
                   MeterRegistry registry) {
        if (externalLabels.get().isEmpty()) {
            throw new IllegalArgumentException("empty external labels are not allowed for Thanos block.");
        }
        this.dir = tenantDir;
        this.tenant = tenantDir.getFileName().toString();
        this.bucket = bucket;
        this.labels = externalLabels;
        this.clock = clock;
        this.registry = registry;
        Tags tags = Tags.of("tenant", tenant);
        this.uploads = register(Counter.builder(UPLOADS).tags(tags)
                .description("Total number of uploaded blocks.").register(registry));
        this.uploadFailures = register(Counter.builder(UPLOAD_FAILURES).tags(tags)
                .description("Total number of block upload failures").register(registry));
        this.dirSyncs = register(Counter.builder(DIR_SYNCS).tags(tags)
                .description("Total number of dir syncs").register(registry));
        this.dirSyncFailures = register(Counter.builder(DIR_SYNC_FAILURES).tags(tags)
                .description("Total number of failed dir syncs").register(registry));
        register(Gauge.builder(LAST_SUCCESSFUL_UPLOAD_TIME, lastUploadMillis, v -> v.get() / 1000.0).tags(tags)
                .description("Unix timestamp (in float seconds) of the last successful TSDB block uploaded to"
                        + " the bucket.").register(registry));
        register(Gauge.builder(BLOCKS_WAITING, waiting, AtomicLong::get).tags(tags)
                .description("Local blocks due for upload that are not in the bucket yet.").register(registry));
        Set<String> recorded;
        try {
            recorded = ShipperFile.read(dir.resolve(ShipperFile.NAME));
        } catch (IOException | RuntimeException e) {
            recorded = Set.of();
        }
        this.uploaded = Set.copyOf(recorded);
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    /** The tenant, the name of the tenant directory. */
    public String tenant() {
        return tenant;
    }

    /**
     * The ULIDs of local blocks known to be in the bucket, as of the last sync (or the shipper file at
     * construction). Retention may delete a local block only if it is in this set.
     */
    public Set<String> uploaded() {
        return uploaded;
    }

    /** Runs one sync; never throws for storage or bucket problems, which are in the result. */
    public synchronized SyncResult sync() {
        if (!Files.isDirectory(dir)) {
            uploaded = Set.of();
            return finish(0, 0, null);
        }
        Path file = dir.resolve(ShipperFile.NAME);
        Set<String> recorded;
        try {
            recorded = ShipperFile.read(file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("tenant {}: reading shipper file failed, checking every block against the bucket: {}",
                    tenant, e.toString());
            recorded = Set.of();
        }
        List<LocalBlock> blocks;
        try {
            blocks = localBlocks();
        } catch (IOException e) {
            return finish(0, 0, e);
        }
        Set<String> shipped = new LinkedHashSet<>();
        int done = 0;
        int due = 0;
        IOException error = null;
        for (LocalBlock b : blocks) {
            if (recorded.contains(b.id)) {
                shipped.add(b.id);
                continue;
            }
            if (b.numSamples == 0 || b.level > 1) {
                continue;
            }
            if (error != null) {
                due++;
                continue;
            }
            try {
                if (bucket.exists(b.id + "/meta.json")) {
                    shipped.add(b.id);
                    continue;
                }
            } catch (IOException | RuntimeException e) {
                error = new IOException("check exists " + b.id + "/meta.json: " + e.getMessage(), e);
                uploadFailures.increment();
                due++;
                continue;
            }
            try {
                upload(b);
            } catch (IOException | RuntimeException e) {
                error = new IOException("upload " + b.id + ": " + e.getMessage(), e);
                uploadFailures.increment();
                due++;
                continue;
            }
            shipped.add(b.id);
            done++;
            uploads.increment();
            lastUploadMillis.set(clock.millis());
            LOG.info("tenant {}: uploaded block {} (minTime {}, maxTime {}) to {}", tenant, b.id, b.minTime,
                    b.maxTime, bucket.name());
        }
        try {
            ShipperFile.write(file, shipped);
        } catch (IOException e) {
            LOG.warn("tenant {}: updating shipper file {} failed: {}", tenant, file, e.toString());
        }
        uploaded = Set.copyOf(shipped);
        return finish(done, due, error);
    }

    private SyncResult finish(int done, int due, IOException error) {
        waiting.set(due);
        if (error == null) {
            dirSyncs.increment();
            if (failing) {
                LOG.info("tenant {}: block uploads to {} work again", tenant, bucket.name());
                failing = false;
            }
        } else {
            dirSyncFailures.increment();
            if (!failing) {
                LOG.warn("tenant {}: block upload failing, {} block(s) waiting, will retry: {}", tenant, due,
                        error.getMessage());
                failing = true;
            } else {
                LOG.debug("tenant {}: block upload still failing: {}", tenant, error.getMessage());
            }
        }
        return new SyncResult(tenant, done, due, error);
    }

    /** The ULID-named block directories with their meta.json, oldest minTime first. */
    private List<LocalBlock> localBlocks() throws IOException {
        List<LocalBlock> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (Ulid.valid(name) && Files.isDirectory(p)) {
                    out.add(LocalBlock.read(p));
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(Comparator.comparingLong((LocalBlock b) -> b.minTime).thenComparing(b -> b.id));
        return out;
    }

    private void upload(LocalBlock b) throws IOException {
        Path staging = dir.resolve("thanos").resolve("upload").resolve(b.id);
        deleteTree(staging);
        Files.createDirectories(staging);
        try {
            List<Path> chunks = new ArrayList<>();
            Path chunkDir = b.dir.resolve("chunks");
            if (Files.isDirectory(chunkDir)) {
                try (Stream<Path> s = Files.list(chunkDir)) {
                    s.filter(Files::isRegularFile).sorted().forEach(chunks::add);
                }
            }
            Path index = b.dir.resolve("index");
            if (!Files.isRegularFile(index)) {
                throw new NoSuchFileException(index.toString(), null, "block has no index");
            }
            Path meta = staging.resolve("meta.json");
            Files.write(meta, GoJson.bytes(thanosMeta(b.meta, chunks, index)));

            List<String> sent = new ArrayList<>();
            try {
                for (Path chunk : chunks) {
                    String key = b.id + "/chunks/" + chunk.getFileName();
                    bucket.upload(key, chunk);
                    sent.add(key);
                }
                bucket.upload(b.id + "/index", index);
            } catch (IOException | RuntimeException e) {
                for (String key : sent) {
                    try {
                        bucket.delete(key);
                    } catch (IOException | RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                throw e;
            }
            // meta.json last: a block directory without it is a partial upload to every reader.
            bucket.upload(b.id + "/meta.json", meta);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * The meta.json to upload: the local one with every key kept, and its {@code thanos} section set as Receive
     * sets it (fields in the order Thanos writes them; keys of an existing section that jreceive does not set are
     * kept).
     */
    private ObjectNode thanosMeta(ObjectNode local, List<Path> chunks, Path index) throws IOException {
        ObjectNode meta = local.deepCopy();
        JsonNode existing = meta.get("thanos");
        ObjectNode old = existing instanceof ObjectNode o ? o : GoJson.MAPPER.createObjectNode();
        ObjectNode t = GoJson.MAPPER.createObjectNode();
        if (old.has("version")) {
            t.set("version", old.get("version"));
        }
        ObjectNode l = t.putObject("labels");
        new TreeMap<>(labels.get()).forEach(l::put);
        if (old.get("downsample") instanceof ObjectNode d) {
            t.set("downsample", d);
        } else {
            t.putObject("downsample").put("resolution", 0L);
        }
        t.put("source", SOURCE);
        ArrayNode segments = t.putArray("segment_files");
        ArrayNode files = t.putArray("files");
        for (Path chunk : chunks) {
            segments.add(chunk.getFileName().toString());
            file(files, "chunks/" + chunk.getFileName(), Files.size(chunk));
        }
        file(files, "index", Files.size(index));
        files.addObject().put("rel_path", "meta.json");
        List<JsonNode> sorted = new ArrayList<>();
        files.forEach(sorted::add);
        sorted.sort(Comparator.comparing(f -> f.get("rel_path").asText()));
        files.removeAll();
        files.addAll(sorted);
        if (old.has("rewrites")) {
            t.set("rewrites", old.get("rewrites"));
        }
        t.set("index_stats", old.get("index_stats") instanceof ObjectNode s ? s : GoJson.MAPPER.createObjectNode());
        for (Map.Entry<String, JsonNode> e : old.properties()) {
            if (!t.has(e.getKey())) {
                t.set(e.getKey(), e.getValue());
            }
        }
        meta.set("thanos", t);
        return meta;
    }

    private static void file(ArrayNode files, String relPath, long size) {
        ObjectNode f = files.addObject().put("rel_path", relPath);
        if (size != 0) {
            f.put("size_bytes", size);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Unregisters the shipper's meters, for a tenant that is removed. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
    }

    /** A local block directory and the fields of its meta.json the shipper decides on. */
    private static final class LocalBlock {
        final Path dir;
        final String id;
        final ObjectNode meta;
        final long minTime;
        final long maxTime;
        final long numSamples;
        final int level;

        private LocalBlock(Path dir, ObjectNode meta) {
            this.dir = dir;
            this.id = dir.getFileName().toString();
            this.meta = meta;
            this.minTime = meta.path("minTime").asLong();
            this.maxTime = meta.path("maxTime").asLong();
            this.numSamples = meta.path("stats").path("numSamples").asLong();
            this.level = meta.path("compaction").path("level").asInt();
        }

        static LocalBlock read(Path dir) throws IOException {
            Path file = dir.resolve("meta.json");
            JsonNode node;
            try {
                node = GoJson.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new IOException("read metadata for block " + dir + ": " + e.getMessage(), e);
            }
            if (!(node instanceof ObjectNode meta)) {
                throw new IOException("read metadata for block " + dir + ": " + file + " is not a JSON object");
            }
            if (meta.path("version").asInt() != 1) {
                throw new IOException("read metadata for block " + dir + ": unexpected meta file version "
                        + meta.get("version"));
            }
            return new LocalBlock(dir, meta);
        }
    }
}
