package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * An external command-line tool the deployment tests render manifests with ({@code kubectl kustomize},
 * {@code docker-compose config}). {@link #require} skips the calling test with a message naming the package to
 * install when the tool is absent, except under {@code CI=true}, where a missing tool fails it. Runs are bounded
 * and their output goes through files, so no pipe can fill up and block.
 */
final class DeploymentTool {
    private static final long TIMEOUT_SECONDS = 120;
    static final YAMLMapper YAML = new YAMLMapper();

    private final List<String> prefix;

    private DeploymentTool(List<String> prefix) {
        this.prefix = prefix;
    }

    /** The first of {@code candidates} (each a command prefix) whose {@code probe} run exits 0. */
    static DeploymentTool require(String what, String install, List<List<String>> candidates, String... probe) {
        for (List<String> c : candidates) {
            Optional<Path> exe = onPath(c.get(0));
            if (exe.isEmpty()) {
                continue;
            }
            List<String> p = new ArrayList<>(c);
            p.set(0, exe.get().toString());
            DeploymentTool t = new DeploymentTool(p);
            try {
                if (t.run(Path.of("."), probe).exitCode == 0) {
                    return t;
                }
            } catch (IOException e) {
                // not runnable: try the next candidate
            }
        }
        String msg = what + " not found (" + install + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg + "; CI=true requires it");
        }
        return Assumptions.abort(msg + "; skipping");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        candidates.add(Path.of("/usr/local/bin", name));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Exit code and captured output of one run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    Result run(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("deployment-tool", ".out");
        Path err = Files.createTempFile("deployment-tool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try {
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + "s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs the tool and parses its standard output as a stream of YAML documents; a non-zero exit fails. */
    List<JsonNode> renderYaml(Path dir, String... args) throws IOException {
        Result r = run(dir, args);
        assertEquals(0, r.exitCode, () -> String.join(" ", prefix) + " " + String.join(" ", args) + ": " + r);
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(r.stdout)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }
}
