package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
    @TempDir
    Path dir;

    private TsdbConfig config(boolean lockfile) {
        return new TsdbConfig(dir, TsdbConfig.DEFAULT_BLOCK_DURATION, 0, true, 0, Map.of("replica", "0"),
                "tenant_id").withLockfile(lockfile);
    }

    @Test
    void aTenantDirectoryIsOpenedOnceAtATimeAndTheRefusalNamesItAndTheHolder() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (TenantDb db = TenantDb.open("t", config(true))) {
            Path lock = dir.resolve("t").resolve(DirectoryLock.FILE);
            assertEquals(pid, Files.readString(lock).strip(), "the holder's pid is in the file");
            DirectoryLock.DirectoryLockedException e = assertThrows(DirectoryLock.DirectoryLockedException.class,
                    () -> TenantDb.open("t", config(true)));
            assertTrue(e.getMessage().contains(dir.resolve("t").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
            assertEquals(pid, Files.readString(lock).strip(), "the refused open changed nothing");
        }
        assertFalse(Files.exists(dir.resolve("t").resolve(DirectoryLock.FILE)), "close removes the file");
        try (TenantDb db = TenantDb.open("t", config(true))) {
            assertTrue(Files.exists(dir.resolve("t").resolve(DirectoryLock.FILE)), "and the next open takes it");
        }
    }

    @Test
    void aStartStopsAtALockedTenantAndReleasesTheOthers() throws Exception {
        try (TenantDb held = TenantDb.open("b", config(true))) {
            TenantDb.open("a", config(true)).close();
            MultiTsdb tsdb = new MultiTsdb(config(true), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            DirectoryLock.DirectoryLockedException e = assertThrows(DirectoryLock.DirectoryLockedException.class,
                    tsdb::open);
            assertTrue(e.getMessage().contains(dir.resolve("b").toString()), e.getMessage());
        }
        try (TenantDb a = TenantDb.open("a", config(true))) {
            assertTrue(Files.exists(dir.resolve("a").resolve(DirectoryLock.FILE)), "a's lock was released");
        }
    }

    @Test
    void noLockfileCreatesNone() throws Exception {
        try (TenantDb db = TenantDb.open("t", config(false))) {
            assertFalse(Files.exists(dir.resolve("t").resolve(DirectoryLock.FILE)));
        }
    }
}
