package io.jreceive.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jreceive.histogram.Span;

/**
 * {@link BucketInserts#expandInt}'s shortcut for equal layouts answers as its general walk does: the same layout
 * written with a zero-offset span split ({@code [-3:4][0:2]} is {@code [-3:6]}) takes the general walk, so both must
 * agree on every pair of bucket counts, reset or not, and neither inserts anything.
 */
class BucketInsertsTest {
    private static final Span[] LAYOUT = {new Span(-3, 6), new Span(2, 4)};
    private static final Span[] SPLIT = {new Span(-3, 4), new Span(0, 2), new Span(2, 4)};

    @Test
    void equalLayoutsAnswerAsTheGeneralWalk() {
        Random rnd = new Random(7);
        int resets = 0;
        for (int round = 0; round < 2000; round++) {
            long[] a = new long[10];
            long[] b = new long[10];
            long ca = 0;
            long cb = 0;
            for (int i = 0; i < 10; i++) {
                long abs = rnd.nextInt(50);
                long next = abs + (rnd.nextInt(40) == 0 ? -1 - rnd.nextInt(3) : rnd.nextInt(5));
                next = Math.max(0, next);
                a[i] = abs - ca;
                b[i] = next - cb;
                ca = abs;
                cb = next;
            }
            BucketInserts.Expansion fast = BucketInserts.expandInt(LAYOUT, LAYOUT.clone(), a, b);
            BucketInserts.Expansion general = BucketInserts.expandInt(LAYOUT, SPLIT, a, b);
            assertEquals(general.ok(), fast.ok(), "round " + round);
            assertTrue(fast.forward().isEmpty() && fast.backward().isEmpty());
            if (general.ok()) {
                assertTrue(general.forward().isEmpty() && general.backward().isEmpty());
                assertSame(BucketInserts.Expansion.SAME, fast);
            } else {
                resets++;
            }
        }
        assertTrue(resets > 100 && resets < 1900, "both outcomes exercised: " + resets + " resets");
    }
}
