package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;

import org.junit.jupiter.api.Test;

class SyntheticSeriesTest {
    @Test
    void outOfOrderSendingPermutesEachSeriesRoundsWithAboutOneInNLate() {
        SyntheticSeries d = new SyntheticSeries(1000, 30, 5, 0, 8, 0, 15_000).withOutOfOrderEvery(10);
        int late = 0;
        for (int i = 0; i < d.series(); i++) {
            BitSet seen = new BitSet();
            int newest = -1;
            for (int r = 0; r < d.samples(); r++) {
                int round = d.round(i, r);
                assertTrue(round >= 0 && round < d.samples() && !seen.get(round), "a permutation");
                seen.set(round);
                if (round < newest) {
                    late++;
                    assertEquals(newest - 1, round, "one interval older than the newest");
                }
                newest = Math.max(newest, round);
            }
        }
        double share = late / (double) (d.series() * d.samples());
        assertTrue(share > 0.09 && share <= 0.10, "share out of order: " + share);
        SyntheticSeries inOrder = new SyntheticSeries(10, 4, 5, 0, 1, 0, 1);
        for (int r = 0; r < 4; r++) {
            assertEquals(r, inOrder.round(3, r));
        }
    }
}
