package io.jreceive.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** alecthomas/units ParseBase2Bytes, as kingpin's BytesVar reads Thanos' byte flags. */
class ByteSizeTest {
    @Test
    void thanosForms() {
        assertEquals(154785, ByteSize.parse("154785B"));
        assertEquals(512L << 20, ByteSize.parse("512MiB"));
        assertEquals(512L << 20, ByteSize.parse("512MB"), "MB is base 2 as in Thanos");
        assertEquals(1L << 30, ByteSize.parse("1GB"));
        assertEquals((1L << 30) + (512L << 20), ByteSize.parse("1GB512MB"));
        assertEquals(1536, ByteSize.parse("1.5KB"));
        assertEquals(0, ByteSize.parse("0"));
    }

    @Test
    void unitRequired() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1000"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1kB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("GB"));
    }
}
