package io.jreceive.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * The real peers built from their Go modules by {@code tools/peers.sh} (run by the README's test command before any
 * module): {@code thanos} (v0.38.0) and {@code prometheus} (3.7.3), in {@code $JRECEIVE_PEERS} or
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

    /** The named peer binary ({@code thanos}, {@code prometheus}); skips the test if absent, or fails it in CI. */
    public static Path require(String name) {
        Path bin = cache().resolve(name);
        if (!Files.isExecutable(bin)) {
            String msg = name + " peer not found at " + bin + " (build it with tools/peers.sh " + name + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + "; CI=true requires it");
            }
            Assumptions.abort(msg + "; skipping");
        }
        return bin;
    }
}
