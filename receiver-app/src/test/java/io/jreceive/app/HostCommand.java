package io.jreceive.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A host command the container tests run (podman, podman-compose, tools/podman.sh), in the repository root with
 * the repository's {@code tools/containers.conf} unless the environment names another, its output kept in a log
 * under a test's directory and bounded in time.
 */
final class HostCommand {
    /** The repository root (the tests run in {@code receiver-app}). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private HostCommand() {
    }

    /** Output and exit code of a finished command. */
    record Result(int code, String out) {
        Result ok(String what) {
            if (code != 0) {
                throw new AssertionError(what + " exited " + code + ":\n" + out);
            }
            return this;
        }
    }

    /** Runs {@code cmd} to its end, killing it (and failing) after {@code timeout}; the log goes to {@code logDir}. */
    static Result run(Path logDir, Duration timeout, List<String> cmd) throws Exception {
        Path log = Files.createTempFile(logDir, "cmd", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putIfAbsent("CONTAINERS_CONF", ROOT.resolve("tools/containers.conf").toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeout + ":\n"
                    + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log).strip());
    }
}
