package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TombstonesTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheNineByteEmptyFileAndReadsItBack() throws IOException {
        Tombstones.writeEmpty(tmp);
        assertArrayEquals(HexFormat.of().parseHex("0130BA300100000000"), Files.readAllBytes(tmp.resolve("tombstones")));
        assertEquals(List.of(), Tombstones.read(tmp));
    }

    @Test
    void missingFileIsEmpty() throws IOException {
        assertEquals(List.of(), Tombstones.read(tmp.resolve("nowhere")));
    }

    @Test
    void readsEntriesAndChecksTheirCrc() throws IOException {
        // entries: ref 2, mint 0 (varint 00), maxt -1 (varint 01); CRC32C(02 00 01) computed by java.util.zip
        byte[] entries = {2, 0, 1};
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(entries);
        int crc = (int) c.getValue();
        byte[] file = HexFormat.of().parseHex("0130BA3001020001" + String.format("%08x", crc));
        Files.write(tmp.resolve("tombstones"), file);
        assertEquals(List.of(new Tombstones.Tombstone(2, 0, -1)), Tombstones.read(tmp));
        file[6] = 4;
        Files.write(tmp.resolve("tombstones"), file);
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> Tombstones.read(tmp));
        assertTrue(e.isChecksum());
    }
}
