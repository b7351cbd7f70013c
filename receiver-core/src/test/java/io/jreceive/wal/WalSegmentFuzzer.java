package io.jreceive.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jreceive.labels.Labels;

/**
 * Fuzzes the WAL segment reader and record decoder with arbitrary segment files: reading may only fail with
 * {@link WalCorruptionException}, the corruption error {@link WalReader#read} documents.
 */
class WalSegmentFuzzer {
    private static final WalVisitor IGNORE = new WalVisitor() {
        @Override
        public void onSeries(long ref, Labels labels) {
        }

        @Override
        public void onSample(long ref, long t, long valueBits) {
        }
    };

    private final Path dir;

    WalSegmentFuzzer() throws IOException {
        dir = Files.createTempDirectory("wal-fuzz");
        dir.toFile().deleteOnExit();
    }

    @FuzzTest(maxDuration = "3s")
    void read(byte[] segment) throws IOException {
        Path file = WalSegments.path(dir, 0);
        Files.write(file, segment);
        file.toFile().deleteOnExit();
        try {
            WalReader.read(dir, IGNORE);
        } catch (WalCorruptionException expected) {
            // documented
        }
    }
}
