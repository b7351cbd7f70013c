package io.jreceive.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The standard process metrics as Prometheus' Go and Java clients export them ({@code process_cpu_seconds_total},
 * {@code process_start_time_seconds}, {@code process_open_fds}, {@code process_max_fds},
 * {@code process_resident_memory_bytes}, {@code process_virtual_memory_bytes}; memory from
 * {@code /proc/self/status}, absent elsewhere) and {@code jreceive_build_info{version,java_version} 1}, so the
 * dashboards and alerts written for any Prometheus-instrumented process work unchanged.
 */
final class ProcessMetrics {
    static final String VERSION = "0.1.0";
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMetrics() {
    }

    static void bindTo(MeterRegistry registry) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            FunctionCounter.builder("process.cpu.seconds", sun, b -> b.getProcessCpuTime() / 1e9)
                    .description("Total user and system CPU time spent in seconds.").register(registry);
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            Gauge.builder("process.open.fds", unix, u -> u.getOpenFileDescriptorCount())
                    .description("Number of open file descriptors.").register(registry);
            Gauge.builder("process.max.fds", unix, u -> u.getMaxFileDescriptorCount())
                    .description("Maximum number of open file descriptors.").register(registry);
        }
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        Gauge.builder("process.start.time.seconds", () -> start / 1000.0)
                .description("Start time of the process since unix epoch in seconds.").register(registry);
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory.bytes", () -> statusBytes("VmRSS:"))
                    .description("Resident memory size in bytes.").register(registry);
            Gauge.builder("process.virtual.memory.bytes", () -> statusBytes("VmSize:"))
                    .description("Virtual memory size in bytes.").register(registry);
        }
        Gauge.builder("jreceive.build.info", () -> 1)
                .description("A metric with a constant '1' value labeled by version and Java version.")
                .tag("version", VERSION).tag("java_version", System.getProperty("java.version"))
                .register(registry);
    }

    /** A {@code kB} field of /proc/self/status in bytes; NaN when it cannot be read. */
    static double statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
