package io.jreceive.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs integration tests run (promtool, prometheus) on {@code $PATH} or in
 * {@code /usr/bin}. {@link #require} skips the calling test with a clear message when one is missing, except under
 * {@code CI=true}, where a missing tool fails the test instead: CI must never pass by skipping.
 */
public final class Tools {
    private Tools() {
    }

    public static Optional<Path> locate(String name) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** The tool's path; skips the test if absent, or fails it under {@code CI=true}. */
    public static Path require(String name) {
        Optional<Path> p = locate(name);
        if (p.isEmpty()) {
            String msg = name + " not found on PATH or in /usr/bin (Debian: apt-get install prometheus)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + "; CI=true requires it");
            }
            Assumptions.abort(msg + "; skipping");
        }
        return p.get();
    }
}
