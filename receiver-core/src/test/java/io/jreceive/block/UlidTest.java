package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class UlidTest {
    @Test
    void encodesTimeInTheFirstTenCharacters() {
        // 1469918176385 ms = 0x01563DF36481 -> "01ARYZ6S41" (the ULID spec's example time prefix)
        Ulid u = Ulid.generate(1469918176385L, new Random(1));
        assertTrue(u.toString().startsWith("01ARYZ6S41"), u.toString());
        assertEquals(1469918176385L, u.time());
    }

    @Test
    void parsesWhatItPrintsAndOrdersByTime() {
        Random r = new Random(3);
        Ulid prev = null;
        for (int i = 0; i < 1000; i++) {
            Ulid u = Ulid.generate(1_600_000_000_000L + i * 1000L, r);
            String s = u.toString();
            assertEquals(26, s.length());
            assertTrue(Ulid.isValid(s));
            assertEquals(u, Ulid.parse(s));
            assertEquals(u, Ulid.parse(s.toLowerCase()));
            if (prev != null) {
                assertTrue(prev.compareTo(u) < 0);
            }
            prev = u;
        }
        assertEquals("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", Ulid.parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ").toString());
        assertEquals("00000000000000000000000000", Ulid.parse("00000000000000000000000000").toString());
    }

    @Test
    void rejectsBadText() {
        assertFalse(Ulid.isValid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
        assertFalse(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAU")); // U is not Crockford
        assertFalse(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FA"));
        assertFalse(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAV.tmp-for-creation"));
        assertTrue(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAV"));
        assertThrows(IllegalArgumentException.class, () -> Ulid.parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
        assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAI"));
    }
}
