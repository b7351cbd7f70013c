package io.jreceive.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jreceive.block.CorruptBlockException;
import io.jreceive.encoding.FormatException;

/**
 * Fuzzes the chunk segment reader and the XOR chunk iterator: the input's first 8 bytes are a chunk reference, the
 * rest is the segment file {@code 000001}; the chunk is read and every sample iterated, and the rest is also
 * iterated as bare chunk data. Only {@link CorruptBlockException} (file level) and {@link FormatException} (chunk
 * data) are allowed.
 */
class ChunkReaderFuzzer {
    private final Path dir;

    ChunkReaderFuzzer() throws IOException {
        dir = Files.createTempDirectory("chunk-fuzz");
        dir.toFile().deleteOnExit();
    }

    @FuzzTest(maxDuration = "3s")
    void read(byte[] input) throws IOException {
        if (input.length < 8) {
            return;
        }
        long ref = ByteBuffer.wrap(input, 0, 8).getLong();
        byte[] segment = java.util.Arrays.copyOfRange(input, 8, input.length);
        iterate(segment);
        Path file = dir.resolve("000001");
        Files.write(file, segment);
        file.toFile().deleteOnExit();
        try (ChunkSegmentReader r = ChunkSegmentReader.open(dir)) {
            r.encoding(ref);
            iterate(r.data(ref));
        } catch (CorruptBlockException expected) {
            // documented
        }
    }

    private static void iterate(byte[] chunk) {
        try {
            XorIterator it = new XorIterator(chunk);
            while (it.next()) {
                it.timestamp();
                it.valueBits();
            }
        } catch (FormatException expected) {
            // documented
        }
    }
}
