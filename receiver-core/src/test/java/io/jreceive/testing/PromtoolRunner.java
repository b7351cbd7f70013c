package io.jreceive.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real {@code promtool} binary from tests. {@link #require()} finds it ({@code $PROMTOOL}, else
 * {@code /usr/bin/promtool}, else the {@code PATH}); when it is absent the test is skipped with a message, except
 * under {@code CI=true}, where a missing tool fails the test. Each run has a timeout and captures both streams.
 */
public final class PromtoolRunner {
    /** Default time limit of one promtool invocation. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path binary;

    private PromtoolRunner(Path binary) {
        this.binary = binary;
    }

    /** Output of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** The stdout lines, without empty ones. */
        public List<String> lines() {
            return stdout.lines().filter(l -> !l.isEmpty()).toList();
        }
    }

    /** The promtool binary, if installed. */
    public static Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PROMTOOL");
        if (env != null && !env.isEmpty()) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("/usr/bin/promtool"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "promtool"));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** A runner for the installed promtool; skips the calling test if there is none (fails it under CI=true). */
    public static PromtoolRunner require() {
        Optional<Path> p = locate();
        if (p.isEmpty()) {
            String msg = "promtool not found ($PROMTOOL, /usr/bin/promtool, PATH); install the 'prometheus' package";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + " (CI=true: a missing tool is a failure)");
            }
            Assumptions.assumeTrue(false, msg + "; skipping");
        }
        return new PromtoolRunner(p.get());
    }

    public Path binary() {
        return binary;
    }

    /** Runs {@code promtool args...} with {@link #DEFAULT_TIMEOUT}. */
    public Result run(String... args) throws IOException, InterruptedException {
        return run(DEFAULT_TIMEOUT, args);
    }

    /** Runs {@code promtool args...}; a run exceeding {@code timeout} is killed and fails the test. */
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
                fail("promtool " + String.join(" ", args) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
