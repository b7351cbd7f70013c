package io.jreceive.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesGoAndPrometheusForms() {
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
        assertEquals(Duration.ofMinutes(2), GoDuration.parse("2m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(300), GoDuration.parse("300ms"));
        assertEquals(Duration.ofNanos(1_500), GoDuration.parse("1us500ns"));
        assertEquals(Duration.ofNanos(2_000), GoDuration.parse("2µs"));
        assertEquals(Duration.ofDays(15), GoDuration.parse("15d"));
        assertEquals(Duration.ofDays(14), GoDuration.parse("2w"));
        assertEquals(Duration.ofDays(365), GoDuration.parse("1y"));
        assertEquals(Duration.ofHours(2).plusMinutes(3).plusSeconds(4), GoDuration.parse("2h3m4s"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("0s"));
    }

    @Test
    void rejectsMalformed() {
        for (String bad : new String[] {"", "s", "10", "1x", "-1s", "1.2.3s", "1m 30s", "abc"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("duration"), e.getMessage());
        }
    }
}
