package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockMetaTest {
    @TempDir
    Path tmp;

    @Test
    void writesGoMarshalIndentText() {
        String u = "01HQ0000000000000000000000";
        BlockMeta m = new BlockMeta(u, 0, 7200000, new BlockMeta.Stats(10, 10, 0, 2, 3, 0),
                BlockMeta.Compaction.level1(u), 1,
                new BlockMeta.Thanos(0, Map.of("\uD83D\uDE00", "2", "\uFFFD", "1"), null, "receive", List.of("000001"),
                        List.of(new BlockMeta.FileEntry("chunks/000001", 42, null),
                                new BlockMeta.FileEntry("index", 99, null),
                                new BlockMeta.FileEntry("meta.json", 0, null)), null));
        String want = "{\n"
                + "\t\"ulid\": \"01HQ0000000000000000000000\",\n"
                + "\t\"minTime\": 0,\n"
                + "\t\"maxTime\": 7200000,\n"
                + "\t\"stats\": {\n"
                + "\t\t\"numSamples\": 10,\n"
                + "\t\t\"numFloatSamples\": 10,\n"
                + "\t\t\"numSeries\": 2,\n"
                + "\t\t\"numChunks\": 3\n"
                + "\t},\n"
                + "\t\"compaction\": {\n"
                + "\t\t\"level\": 1,\n"
                + "\t\t\"sources\": [\n"
                + "\t\t\t\"01HQ0000000000000000000000\"\n"
                + "\t\t]\n"
                + "\t},\n"
                + "\t\"version\": 1,\n"
                + "\t\"thanos\": {\n"
                + "\t\t\"labels\": {\n"
                + "\t\t\t\"\uFFFD\": \"1\",\n"
                + "\t\t\t\"\uD83D\uDE00\": \"2\"\n"
                + "\t\t},\n"
                + "\t\t\"downsample\": {\n"
                + "\t\t\t\"resolution\": 0\n"
                + "\t\t},\n"
                + "\t\t\"source\": \"receive\",\n"
                + "\t\t\"segment_files\": [\n"
                + "\t\t\t\"000001\"\n"
                + "\t\t],\n"
                + "\t\t\"files\": [\n"
                + "\t\t\t{\n"
                + "\t\t\t\t\"rel_path\": \"chunks/000001\",\n"
                + "\t\t\t\t\"size_bytes\": 42\n"
                + "\t\t\t},\n"
                + "\t\t\t{\n"
                + "\t\t\t\t\"rel_path\": \"index\",\n"
                + "\t\t\t\t\"size_bytes\": 99\n"
                + "\t\t\t},\n"
                + "\t\t\t{\n"
                + "\t\t\t\t\"rel_path\": \"meta.json\"\n"
                + "\t\t\t}\n"
                + "\t\t],\n"
                + "\t\t\"index_stats\": {}\n"
                + "\t}\n"
                + "}";
        assertEquals(want, new String(m.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void readsPrometheusMetaWithoutThanosAndWithUnknownKeys() throws IOException {
        String json = "{\"ulid\":\"01HQ0000000000000000000001\",\"minTime\":5,\"maxTime\":9,"
                + "\"stats\":{\"numSamples\":3,\"numSeries\":1,\"numChunks\":1},"
                + "\"compaction\":{\"level\":2,\"sources\":[\"A\",\"B\"],\"parents\":[{\"ulid\":\"A\",\"minTime\":5,"
                + "\"maxTime\":7}],\"hints\":[\"from-out-of-order\"]},\"version\":1,\"future\":true}";
        Files.writeString(tmp.resolve("meta.json"), json);
        BlockMeta m = BlockMeta.read(tmp);
        assertNull(m.thanos());
        assertEquals(3, m.stats().numSamples());
        assertEquals(List.of(new BlockMeta.Parent("A", 5, 7)), m.compaction().parents());
        assertEquals(List.of("from-out-of-order"), m.compaction().hints());
        m.write(tmp);
        assertEquals(m, BlockMeta.read(tmp));
    }
}
