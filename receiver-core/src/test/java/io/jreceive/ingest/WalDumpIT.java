package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.TestReceiver;

/**
 * After a deterministic concurrent load over HTTP, the real {@code promtool tsdb dump} of the tenant's data dir,
 * which then holds only a WAL, prints exactly the acknowledged samples: every line compared.
 */
class WalDumpIT {
    @TempDir
    Path dir;

    @Test
    void promtoolDumpPrintsExactlyTheAcknowledgedSamples() throws Exception {
        Promtool promtool = Promtool.require();
        DeterministicLoad load = new DeterministicLoad(300, 1_700_000_000_000L, 15_000);
        try (TestReceiver rx = new TestReceiver(dir)) {
            load.run(4, 0, 60, body -> {
                try {
                    return rx.postV1(body);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertEquals(300 * 60, load.acknowledged().size(), "every request acknowledged");
        Path tenant = dir.resolve("default-tenant");
        try (var list = Files.list(tenant)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().length() == 26), "no block was cut");
        }
        Promtool.Result dump = promtool.dump(tenant);
        assertTrue(dump.ok(), dump.toString());
        List<String> printed = new ArrayList<>();
        for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
            printed.add(DeterministicLoad.line(l.labels(), l.value(), l.timestamp()));
        }
        List<String> expected = new ArrayList<>(load.acknowledged());
        Collections.sort(expected);
        Collections.sort(printed);
        assertEquals(expected, printed);
    }
}
