package io.jreceive.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * A block's {@code meta.json}: Prometheus' {@code BlockMeta} plus the {@code thanos} section Thanos readers use.
 * Keys and omit-when-empty rules follow the Go structs exactly ({@code stats} fields and the optional
 * {@code compaction} fields are left out when zero or empty, {@code thanos.index_stats} is always written, even as
 * {@code {}}); the text is tab-indented like Prometheus' {@code json.MarshalIndent(meta, "", "\t")}. Unknown keys are
 * ignored when reading.
 *
 * @param ulid       the block's ULID, also its directory name
 * @param minTime    first millisecond covered, inclusive
 * @param maxTime    end of the covered range, exclusive
 * @param version    meta file version; readers only accept {@value #VERSION}
 * @param thanos     the Thanos section, or null when absent
 */
@JsonPropertyOrder({"ulid", "minTime", "maxTime", "stats", "compaction", "version", "thanos"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BlockMeta(String ulid, long minTime, long maxTime, Stats stats, Compaction compaction, int version,
        Thanos thanos) {
    /** The only meta file version Prometheus and Thanos read. */
    public static final int VERSION = 1;
    public static final String FILE_NAME = "meta.json";
    /** {@code thanos.source} of blocks cut by a receiver. */
    public static final String SOURCE_RECEIVE = "receive";

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // raw UTF-8 like Go, no surrogate escapes
            .build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectWriter WRITER = MAPPER.writer(new GoIndent());

    /** Go marshals map keys sorted by their bytes; {@link String#compareTo} differs above U+FFFF. */
    static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
            b.getBytes(StandardCharsets.UTF_8));

    /** Block statistics; every field is omitted from the JSON when zero. */
    @JsonPropertyOrder({"numSamples", "numFloatSamples", "numHistogramSamples", "numSeries", "numChunks",
            "numTombstones"})
    public record Stats(
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numSamples,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numFloatSamples,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numHistogramSamples,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numSeries,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numChunks,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long numTombstones) {
    }

    /** Compaction history: level 1 and {@code sources = [own ULID]} for a block cut from the head. */
    @JsonPropertyOrder({"level", "sources", "deletable", "parents", "failed", "hints"})
    public record Compaction(
            int level,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> sources,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean deletable,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Parent> parents,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean failed,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> hints) {
        /** What a block cut from the head has: level 1, its own ULID as the only source. */
        public static Compaction level1(String ulid) {
            return new Compaction(1, List.of(ulid), false, null, false, null);
        }
    }

    /** A block a compacted block was made from. */
    @JsonPropertyOrder({"ulid", "minTime", "maxTime"})
    public record Parent(String ulid, long minTime, long maxTime) {
    }

    /** Thanos' {@code metadata.Thanos}. */
    @JsonPropertyOrder({"version", "labels", "downsample", "source", "segment_files", "files", "index_stats"})
    public record Thanos(
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int version,
            Map<String, String> labels,
            Downsample downsample,
            String source,
            @JsonProperty("segment_files") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> segmentFiles,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FileEntry> files,
            @JsonProperty("index_stats") IndexStats indexStats) {
        /** Copies {@code labels} into byte order (Go's map key order) and fills absent objects with empty ones. */
        public Thanos {
            TreeMap<String, String> sorted = new TreeMap<>(UTF8_ORDER);
            if (labels != null) {
                sorted.putAll(labels);
            }
            labels = sorted;
            downsample = downsample == null ? new Downsample(0) : downsample;
            indexStats = indexStats == null ? new IndexStats(0, 0) : indexStats;
        }
    }

    /** Downsampling resolution in milliseconds; 0 for raw data. */
    public record Downsample(long resolution) {
    }

    /** One file of the block as Thanos lists it; {@code meta.json} is listed without a size. */
    @JsonPropertyOrder({"rel_path", "size_bytes", "hash"})
    public record FileEntry(
            @JsonProperty("rel_path") String relPath,
            @JsonProperty("size_bytes") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long sizeBytes,
            @JsonInclude(JsonInclude.Include.NON_NULL) Hash hash) {
    }

    /** A file hash, e.g. {@code {"hashFunc": "SHA256", "value": hex}}. */
    public record Hash(String hashFunc, String value) {
    }

    /** Filled only by Thanos' compactor and downsampler; written as {@code {}} otherwise. */
    @JsonPropertyOrder({"series_max_size", "chunk_max_size"})
    public record IndexStats(
            @JsonProperty("series_max_size") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long seriesMaxSize,
            @JsonProperty("chunk_max_size") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long chunkMaxSize) {
    }

    /** This meta with another Thanos section (what the shipper does before an upload). */
    public BlockMeta withThanos(Thanos t) {
        return new BlockMeta(ulid, minTime, maxTime, stats, compaction, version, t);
    }

    /** The tab-indented JSON text. */
    public byte[] toJson() {
        try {
            return WRITER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("meta.json serialization failed", e);
        }
    }

    /** Parses JSON text; unknown keys are ignored. */
    public static BlockMeta fromJson(byte[] json) throws IOException {
        return MAPPER.readValue(json, BlockMeta.class);
    }

    /** Reads {@code blockDir/meta.json}. */
    public static BlockMeta read(Path blockDir) throws IOException {
        return fromJson(Files.readAllBytes(blockDir.resolve(FILE_NAME)));
    }

    /**
     * Writes {@code blockDir/meta.json} atomically: into {@code meta.json.tmp}, synced, renamed over the old file,
     * then the directory synced. Returns the number of bytes written.
     */
    public long write(Path blockDir) throws IOException {
        byte[] json = toJson();
        Path tmp = blockDir.resolve(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(json);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        Files.move(tmp, blockDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        BlockWriter.syncDir(blockDir);
        return json.length;
    }

    /** Go's {@code MarshalIndent(v, "", "\t")}: tab indents, {@code "key": value}, empty containers as {} and []. */
    private static final class GoIndent extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        GoIndent() {
            super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            DefaultIndenter tab = new DefaultIndenter("\t", "\n");
            indentObjectsWith(tab);
            indentArraysWith(tab);
        }

        private GoIndent(GoIndent base) {
            super(base);
        }

        @Override
        public GoIndent createInstance() {
            return new GoIndent(this);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries == 0) {
                _nesting--;
                g.writeRaw('}');
            } else {
                super.writeEndObject(g, entries);
            }
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values == 0) {
                _nesting--;
                g.writeRaw(']');
            } else {
                super.writeEndArray(g, values);
            }
        }
    }
}
