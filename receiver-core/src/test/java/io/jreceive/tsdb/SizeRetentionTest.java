package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Prometheus' BeyondSizeRetention: head bytes first, then blocks newest to oldest; the crossing one and older go. */
class SizeRetentionTest {
    private static final List<SizeRetention.Sized> BLOCKS = List.of(new SizeRetention.Sized("new", 100),
            new SizeRetention.Sized("mid", 100), new SizeRetention.Sized("old", 100));

    @Test
    void crossingBlockAndOlderAreBeyond() {
        assertEquals(List.of(), SizeRetention.beyond(300, 0, BLOCKS), "exactly at the limit: nothing");
        assertEquals(List.of("old"), SizeRetention.beyond(299, 0, BLOCKS));
        assertEquals(List.of("mid", "old"), SizeRetention.beyond(240, 50, BLOCKS), "the head counts first");
        assertEquals(List.of("new", "mid", "old"), SizeRetention.beyond(10, 50, BLOCKS),
                "a head over the limit alone puts every block beyond it");
        assertEquals(List.of(), SizeRetention.beyond(0, 1000, BLOCKS), "0 = off");
    }
}
