package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour every {@link Bucket} implementation shares; subclasses supply the bucket from an objstore config. */
abstract class BucketContract {
    @TempDir
    Path tmp;

    /** A bucket from an objstore YAML whose {@code prefix} is {@code prefix} (empty for none). */
    abstract Bucket open(String prefix) throws Exception;

    private Path file(String name, int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void uploadGetExistsIterDelete() throws Exception {
        try (Bucket b = open("")) {
            Path one = file("one", 1000, 1);
            Path two = file("two", 0, 2);
            assertFalse(b.exists("blk/chunks/000001"));
            b.upload("blk/chunks/000001", one);
            b.upload("blk/index", two);
            b.upload("other/meta.json", one);
            assertTrue(b.exists("blk/chunks/000001"));
            assertFalse(b.exists("blk/chunks"), "a directory is not an object");
            assertArrayEquals(Files.readAllBytes(one), b.bytes("blk/chunks/000001"));
            assertArrayEquals(new byte[0], b.bytes("blk/index"));
            assertEquals(List.of("blk/chunks/000001", "blk/index"), b.iter("blk/"));
            assertEquals(List.of("blk/chunks/000001", "blk/index", "other/meta.json"), b.iter(""));
            b.delete("blk/chunks/000001");
            b.delete("blk/chunks/000001");
            assertFalse(b.exists("blk/chunks/000001"));
            assertEquals(List.of("blk/index", "other/meta.json"), b.iter(""));
            assertThrows(NoSuchFileException.class, () -> b.get("blk/chunks/000001"));
        }
    }

    @Test
    void uploadReplaces() throws Exception {
        try (Bucket b = open("")) {
            b.upload("k", file("a", 10, 3));
            Path second = file("b", 20, 4);
            b.upload("k", second);
            assertArrayEquals(Files.readAllBytes(second), b.bytes("k"));
        }
    }

    @Test
    void prefixIsAddedAndHidden() throws Exception {
        Path f = file("p", 64, 5);
        try (Bucket prefixed = open("receive/blocks"); Bucket plain = open("")) {
            prefixed.upload("blk/index", f);
            assertTrue(plain.exists("receive/blocks/blk/index"));
            assertFalse(plain.exists("blk/index"));
            assertTrue(prefixed.exists("blk/index"));
            assertEquals(List.of("blk/index"), prefixed.iter(""));
            assertArrayEquals(Files.readAllBytes(f), prefixed.bytes("blk/index"));
            prefixed.delete("blk/index");
            assertFalse(plain.exists("receive/blocks/blk/index"));
        }
    }
}
