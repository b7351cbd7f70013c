package io.jreceive.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jreceive.block.CorruptBlockException;

/**
 * Fuzzes the index reader with arbitrary index files, reading everything it exposes: names, values, postings and
 * every series they reach. The only exception allowed is {@link CorruptBlockException}, which names the file and
 * offset.
 */
class IndexReaderFuzzer {
    private final Path file;

    IndexReaderFuzzer() throws IOException {
        file = Files.createTempFile("index-fuzz", "");
        file.toFile().deleteOnExit();
    }

    @FuzzTest(maxDuration = "3s")
    void read(byte[] index) throws IOException {
        Files.write(file, index);
        try (IndexReader r = IndexReader.open(file)) {
            SeriesEntry e = new SeriesEntry();
            for (byte[] name : r.labelNames()) {
                for (byte[] value : r.labelValues(name)) {
                    for (int id : r.postings(name, value)) {
                        r.series(id, e);
                    }
                }
            }
            for (int id : r.allPostings()) {
                r.labels(id);
            }
        } catch (CorruptBlockException expected) {
            // documented
        }
    }
}
