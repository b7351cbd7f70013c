package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class FilesystemBucketTest extends BucketContract {
    @Override
    Bucket open(String prefix) {
        return Buckets.create(ObjstoreConfig.parse("type: FILESYSTEM\nconfig:\n  directory: " + tmp.resolve("bkt")
                + "\nprefix: \"" + prefix + "\"\n"));
    }

    @Test
    void deleteRemovesEmptiedDirectoriesAndNoTempFilesRemain() throws Exception {
        Path src = Files.write(tmp.resolve("src"), new byte[] {1, 2, 3});
        try (Bucket b = open("")) {
            b.upload("a/b/c", src);
            b.upload("a/d", src);
            try (var files = Files.walk(tmp.resolve("bkt"))) {
                assertEquals(List.of("a/b/c", "a/d"), files.filter(Files::isRegularFile)
                        .map(p -> tmp.resolve("bkt").relativize(p).toString()).sorted().toList());
            }
            b.delete("a/b/c");
            assertFalse(Files.exists(tmp.resolve("bkt/a/b")));
            assertTrue(Files.exists(tmp.resolve("bkt/a/d")));
        }
    }

    @Test
    void keysCannotLeaveTheDirectory() throws Exception {
        Path src = Files.write(tmp.resolve("src"), new byte[] {1});
        try (Bucket b = open("")) {
            assertThrows(IOException.class, () -> b.upload("../escape", src));
            assertThrows(IOException.class, () -> b.upload("/abs", src));
            assertFalse(Files.exists(tmp.resolve("escape")));
        }
    }
}
