package io.jreceive.testing;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * Runs Prometheus' real {@code promtool} against directories tests wrote. {@link #require()} skips the calling test
 * with a clear message when promtool is not installed, except under {@code CI=true}, where a missing tool fails it.
 * Every run is bounded by a timeout and its output captured through files (no pipe can fill up and block).
 */
public final class Promtool {
    /** Default bound on one promtool run. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    /** A launcher for the installed promtool; skips the test if absent, or fails it when {@code CI=true}. */
    public static Promtool require() {
        return new Promtool(Tools.require("promtool"));
    }

    /**
     * A launcher for the promtool of the peer Prometheus (3.7, {@link Peers}); skips the test if absent, or fails
     * it under {@code CI=true}.
     */
    public static Promtool peer() {
        return new Promtool(Peers.require("promtool"));
    }

    public Path binary() {
        return binary;
    }

    /** Exit code and captured output of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code promtool args...}, killing it after {@code timeout}. */
    public Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("promtool", ".out");
        Path err = Files.createTempFile("promtool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("promtool " + String.join(" ", args) + " still running after " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code promtool tsdb list DIR}. */
    public Result list(Path dataDir) throws IOException, InterruptedException {
        return run(TIMEOUT, "tsdb", "list", dataDir.toString());
    }

    /** {@code promtool tsdb analyze --extended DIR ULID}: reads every chunk, so bad CRCs or refs fail it. */
    public Result analyzeExtended(Path dataDir, String ulid) throws IOException, InterruptedException {
        return run(TIMEOUT, "tsdb", "analyze", "--extended", dataDir.toString(), ulid);
    }

    /**
     * {@code promtool tsdb dump DIR}, after creating the empty {@code wal/} it insists on. Note that promtool hides
     * chunk errors here (exit 0, truncated output): compare the lines, not just the exit code.
     */
    public Result dump(Path dataDir) throws IOException, InterruptedException {
        Files.createDirectories(dataDir.resolve("wal"));
        return run(TIMEOUT, "tsdb", "dump", dataDir.toString());
    }

    /** One line of {@code tsdb dump}: {@code {labels} value timestamp}. */
    public record DumpLine(String labels, double value, long timestamp) {
    }

    /** Parses dump output; values use Go's {@code %g} ({@code NaN}, {@code +Inf}, {@code 1e+06}). */
    public static List<DumpLine> parseDump(String stdout) {
        List<DumpLine> lines = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String[] rest = line.substring(close + 1).trim().split(" ");
            if (close < 0 || rest.length != 2) {
                throw new IllegalArgumentException("not a dump line: " + line);
            }
            lines.add(new DumpLine(line.substring(0, close + 1), parseGoFloat(rest[0]), Long.parseLong(rest[1])));
        }
        return lines;
    }

    private static double parseGoFloat(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
