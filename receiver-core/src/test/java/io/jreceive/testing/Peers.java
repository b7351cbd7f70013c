package io.jreceive.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * The real peers built from their Go modules by {@code tools/peers.sh} (run by the README's test command before any
 * module): {@code thanos} (v0.38.0), {@code prometheus} (3.7.3) and {@code minio}, in {@code $JRECEIVE_PEERS} or
 * {@code ~/.cache/jreceive-peers}. {@link #require} skips the calling test with a message naming the missing binary,
 * except under {@code CI=true}, where it fails the test: CI never passes by skipping.
 */
public final class Peers {
    private Peers() {
    }

    /** The peer cache directory. */
    public static Path cache() {
        String dir = System.getenv("JRECEIVE_PEERS");
        return dir != null && !dir.isEmpty() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "jreceive-peers");
    }

    /**
     * The named peer binary ({@code thanos}, {@code prometheus}, {@code minio}); skips the test if absent, or fails
     * it in CI.
     */
    public static Path require(String name) {
        return find(name).orElseGet(() -> Assumptions.abort(missing(name) + "; skipping"));
    }

    /**
     * The named peer binary for an extra check inside a test that is worth running without it: empty when absent
     * outside CI (the caller says what it left out), a failure under {@code CI=true}.
     */
    public static Optional<Path> find(String name) {
        Path bin = cache().resolve(name);
        if (Files.isExecutable(bin)) {
            return Optional.of(bin);
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(missing(name) + "; CI=true requires it");
        }
        return Optional.empty();
    }

    private static String missing(String name) {
        return name + " peer not found at " + cache().resolve(name) + " (build it with tools/peers.sh " + name + ")";
    }
}
