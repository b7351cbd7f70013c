package io.jreceive.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
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

    /**
     * The home of a JDK 25 (the image's runtime, which makes and uses AOT caches): {@code JAVA25_HOME}, else one
     * under {@code /usr/lib/jvm}; skips the test if there is none, or fails it under {@code CI=true}.
     */
    public static Path requireJdk25() {
        List<Path> homes = new ArrayList<>();
        String env = System.getenv("JAVA25_HOME");
        if (env != null && !env.isEmpty()) {
            homes.add(Path.of(env));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(jvms, "*-25*")) {
                ds.forEach(homes::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Optional<Path> home = homes.stream().filter(h -> Files.isExecutable(h.resolve("bin/java"))).findFirst();
        if (home.isEmpty()) {
            String msg = "no JDK 25 (JAVA25_HOME or /usr/lib/jvm/*-25*)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + "; CI=true requires it");
            }
            Assumptions.abort(msg + "; skipping");
        }
        return home.get();
    }
}
