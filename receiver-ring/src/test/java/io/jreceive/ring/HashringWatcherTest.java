package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The ring file's life: applied at start, re-applied only when its bytes change, and a file that does not parse or
 * build keeps the last good ring with the error counted. Refreshes are driven by hand (no interval timer); the
 * directory watch may refresh too, which the assertions allow for.
 */
class HashringWatcherTest {
    @TempDir
    Path dir;

    /**
     * Replaces the file in one step, as a Kubernetes ConfigMap update does (the directory watch could otherwise read a
     * half-written file: that is counted as an error and the last good ring stays, but the count would vary).
     */
    private void write(Path file, String content) throws Exception {
        Path tmp = dir.resolve("next.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void appliesChangesKeepsLastGoodRingOnBadFiles() throws Exception {
        Path file = dir.resolve("hashrings.json");
        write(file, "[{\"endpoints\": [\"a:1\", \"b:1\"]}]");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Hashrings> applied = new ArrayList<>();
        try (HashringWatcher w = HashringWatcher.watch(file, "ketama", 2, 0, applied::add, registry)) {
            Hashrings first = w.get();
            assertEquals(1, applied.size());
            w.refresh();
            assertSame(first, w.get(), "same bytes: nothing applied");

            write(file, "[{\"endpoints\": [\"a:1\", \"b:1\"");
            w.refresh();
            assertSame(first, w.get(), "unparsable: the last good ring stays");
            write(file, "[{\"endpoints\": [\"a:1\"]}]");
            w.refresh();
            assertSame(first, w.get(), "ketama with fewer endpoints than RF: the last good ring stays");
            assertEquals(2.0, registry.get("thanos_receive_hashrings_file_errors_total").counter().count());
            assertEquals(0.0, registry.get("thanos_receive_config_last_reload_successful").gauge().value());

            write(file, "[{\"endpoints\": [\"a:1\", \"b:1\", \"c:1\"]}]");
            w.refresh();
            assertEquals(3, w.get().nodes().size());
            assertEquals(2, applied.size());
            assertEquals(1.0, registry.get("thanos_receive_config_last_reload_successful").gauge().value());
            assertEquals(3.0, registry.get("thanos_receive_hashring_nodes").gauge().value());
        }
    }

    @Test
    void aBadFileAtStartRefusesStartUp() throws Exception {
        Path file = dir.resolve("hashrings.json");
        Files.writeString(file, "[]");
        assertEquals("configuration file is empty", assertThrows(IllegalArgumentException.class,
                () -> HashringWatcher.watch(file, "hashmod", 1, 0, r -> { }, new SimpleMeterRegistry()))
                .getMessage());
        assertThrows(IllegalArgumentException.class, () -> HashringWatcher.watch(dir.resolve("missing.json"),
                "hashmod", 1, 0, r -> { }, new SimpleMeterRegistry()));
    }
}
