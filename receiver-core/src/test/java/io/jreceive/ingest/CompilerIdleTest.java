package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class CompilerIdleTest {
    @Test
    void ticksAreUtimePlusStimeCountedAfterTheCommandName() {
        // A command name with a space and a parenthesis; utime 1234 and stime 56 are fields 14 and 15.
        String stat = "4711 (C2 Compiler) x) S 1 4711 4711 0 -1 4194368 117 0 0 0 1234 56 0 0 20 0 1 0 300 0 0";
        assertEquals(1290, CompilerIdle.ticks(stat));
    }

    @Test
    void findsTheCompilerThreadsOfThisJvmWhereProcfsExists() {
        long ticks = CompilerIdle.compilerThreadTicks();
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            // This JVM compiled its test framework: its compiler threads have used CPU.
            assertTrue(ticks > 0, "compiler thread ticks " + ticks);
        } else {
            assertEquals(-1, ticks);
        }
    }

    @Test
    void waitsAtLeastTheQuietTimeAndAtMostTheLimit() {
        long waited = CompilerIdle.await(100, 3_000);
        assertTrue(waited >= 100, "returned after " + waited + " ms");
        assertTrue(waited < 3_500, "returned after " + waited + " ms");
        assertTrue(CompilerIdle.await(10_000, 200) < 1_000, "the limit bounds the wait");
        assertTrue(CompilerIdle.await(10_000, 10_000, () -> true) < 1_000, "a stop signal ends the wait");
    }
}
