package io.jreceive.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void sortsNamesOnBuild() {
        Labels l = Labels.of("b", "2", "__name__", "up", "a", "1");
        assertEquals("{__name__=\"up\", a=\"1\", b=\"2\"}", l.toString());
        assertEquals("1", l.get("a"));
    }

    @Test
    void ordersByUtf8BytesNotUtf16() {
        // U+FFFD is EF BF BD in UTF-8, the emoji F0 9F 98 80: UTF-8 puts U+FFFD first, UTF-16 code units the emoji.
        Labels replacement = Labels.of("a", "\uFFFD");
        Labels emoji = Labels.of("a", "\uD83D\uDE00");
        assertTrue("\uFFFD".compareTo("\uD83D\uDE00") > 0, "precondition: String.compareTo disagrees");
        assertTrue(replacement.compareTo(emoji) < 0);
    }

    @Test
    void prefixSortsFirst() {
        assertTrue(Labels.of("a", "1").compareTo(Labels.of("a", "1", "b", "2")) < 0);
    }
}
