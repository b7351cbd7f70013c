package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Two jreceive processes on one {@code --tsdb.path}: the second exits at start with a message naming the tenant
 * directory and the first one's pid, and changes nothing; once the first is SIGKILLed, its lock goes with it and the
 * next start succeeds. {@code --tsdb.no-lockfile} creates no lock file, as in Thanos.
 */
class DataDirectoryLockIT {
    private static final String NO_WARMUP = "--remote-write.warmup-series=0";

    @TempDir
    Path tmp;

    private static byte[] body(long t) {
        return new RemoteWriteRequests().series(Labels.of("__name__", "m", "job", "j"), t, 1).v1();
    }

    @Test
    void aSecondInstanceOnTheSameDirectoryExitsNamingItAndTheHolder() throws Exception {
        Path data = tmp.resolve("data");
        long t = System.currentTimeMillis();
        try (JreceiveProcess first = JreceiveProcess.start(data, NO_WARMUP)) {
            assertEquals(200, first.post(body(t)).statusCode());
            Path tenant = data.resolve("default-tenant");
            assertTrue(Files.exists(tenant.resolve("lock")));
            try (JreceiveProcess second = JreceiveProcess.spawn(data, NO_WARMUP)) {
                int code = second.awaitExit(Duration.ofSeconds(60));
                String log = Files.readString(second.log);
                assertNotEquals(0, code, log);
                assertTrue(log.contains("data directory " + tenant + " is in use by another process (pid "
                        + first.pid() + ","), log);
            }
            assertEquals(200, first.post(body(t + 1000)).statusCode(), "the first one runs on, untouched");
            first.kill();
        }
        try (JreceiveProcess next = JreceiveProcess.start(data, NO_WARMUP)) {
            assertEquals(200, next.post(body(t + 2000)).statusCode(),
                    "a lock file left by a killed holder locks nothing");
            assertEquals(0, next.stop());
        }
        assertFalse(Files.exists(data.resolve("default-tenant").resolve("lock")), "a clean stop removes it");
    }

    @Test
    void noLockfileKeepsItsThanosMeaning() throws Exception {
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx = JreceiveProcess.start(data, NO_WARMUP, "--tsdb.no-lockfile")) {
            assertEquals(200, rx.post(body(System.currentTimeMillis())).statusCode());
            assertTrue(Files.isDirectory(data.resolve("default-tenant").resolve("wal")));
            assertFalse(Files.exists(data.resolve("default-tenant").resolve("lock")));
        }
    }
}
