package io.jreceive.ingest;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Waits until the JIT compilers have nothing left to do, so that {@link IngestWarmup} can report ready only after
 * the code it made hot is compiled: C2 works through its queue one method at a time, and a method queued during
 * the warm-up was measured to start compiling a second after it (the append path's largest compilations take C2
 * 0.3-0.7 s of a core), on the two cores the first real burst then needs.
 *
 * <p>On Linux the compilers' own threads tell: their CPU time ({@code /proc/self/task/<tid>/stat}) stops growing.
 * Elsewhere the JVM's compilation time ({@link CompilationMXBean}) stands in, which grows only when a compilation
 * ends, so a long one can look idle there.
 */
final class CompilerIdle {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final long POLL_MS = 25;

    private CompilerIdle() {
    }

    /**
     * Blocks until the compilers have been idle for {@code quietMs}, or {@code maxMs} have passed; returns the
     * milliseconds waited.
     */
    static long await(long quietMs, long maxMs) {
        return await(quietMs, maxMs, () -> false);
    }

    /** As {@link #await(long, long)}, ending early too once {@code stop} says so (polled every 25 ms). */
    static long await(long quietMs, long maxMs, BooleanSupplier stop) {
        final long begin = System.nanoTime();
        final long deadline = begin + maxMs * 1_000_000;
        long last = busyTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < quietMs * 1_000_000 && System.nanoTime() < deadline
                && !stop.getAsBoolean()) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = busyTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
        return (System.nanoTime() - begin) / 1_000_000;
    }

    /** A number that grows while a compiler works: its threads' CPU ticks, else the reported compilation time. */
    private static long busyTime() {
        long ticks = compilerThreadTicks();
        if (ticks >= 0) {
            return ticks;
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * User and system clock ticks of the threads named {@code C1/C2 CompilerThread*}, or -1 without procfs or
     * without such threads (another JIT's).
     */
    static long compilerThreadTicks() {
        if (!Files.isDirectory(TASKS)) {
            return -1;
        }
        long sum = 0;
        int found = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String comm;
                String stat;
                try {
                    comm = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII);
                    if (!comm.contains("CompilerThre")) {
                        continue;
                    }
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    continue; // the thread ended while we looked
                }
                sum += ticks(stat);
                found++;
            }
        } catch (IOException e) {
            return -1;
        }
        return found > 0 ? sum : -1;
    }

    /**
     * utime + stime of a {@code stat} line: fields 14 and 15, counted after the parenthesised command name (which
     * may itself hold spaces).
     */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
