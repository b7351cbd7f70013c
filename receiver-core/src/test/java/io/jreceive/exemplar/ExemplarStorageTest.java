package io.jreceive.exemplar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.exemplar.ExemplarStorage.Exemplar;
import io.jreceive.exemplar.ExemplarStorage.SeriesExemplars;
import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;

class ExemplarStorageTest {
    private static final Labels A = Labels.of("__name__", "m", "s", "a");
    private static final Labels B = Labels.of("__name__", "m", "s", "b");
    private static final List<List<Matcher>> ALL = List.of(List.of(Matcher.eq("__name__", "m")));

    private static Exemplar ex(String trace, double v, long t) {
        return new Exemplar(Labels.of("trace_id", trace), v, t);
    }

    private static List<Long> times(ExemplarStorage st, Labels series) {
        List<Long> out = new ArrayList<>();
        for (SeriesExemplars se : st.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL)) {
            if (se.seriesLabels().equals(series)) {
                se.exemplars().forEach(e -> out.add(e.ts()));
            }
        }
        return out;
    }

    @Test
    void duplicatesAreIgnoredAndOlderExemplarsAreOutOfOrder() {
        ExemplarStorage st = new ExemplarStorage(10);
        assertEquals(ExemplarStorage.OK, st.add(A, ex("x", 1, 100)));
        assertEquals(ExemplarStorage.DUPLICATE, st.validate(A, ex("x", 1, 100)));
        assertEquals(ExemplarStorage.DUPLICATE, st.add(A, ex("x", 1, 100)));
        assertEquals(ExemplarStorage.OUT_OF_ORDER, st.add(A, ex("x", 1, 99)));
        assertEquals(ExemplarStorage.OUT_OF_ORDER, st.add(A, ex("x", 0.5, 100)), "same time, lower value");
        assertEquals(ExemplarStorage.OK, st.add(A, ex("x", 2, 100)), "same time, higher value (histogram buckets)");
        assertEquals(ExemplarStorage.OK, st.add(B, ex("x", 1, 50)), "order is per series");
        assertEquals(2, st.outOfOrder());
        assertEquals(3, st.appended());
        assertEquals(3, st.size());
        assertEquals(2, st.seriesCount());
        assertEquals(List.of(100L, 100L), times(st, A));
    }

    @Test
    void labelSetsOver128CharactersAreRejected() {
        ExemplarStorage st = new ExemplarStorage(10);
        // "trace_id" is 8 characters; 120 more make exactly 128, counted in characters, not bytes.
        String ok = "é".repeat(120);
        assertEquals(ExemplarStorage.OK, st.add(A, ex(ok, 1, 1)));
        assertEquals(ExemplarStorage.LABEL_LENGTH, st.add(A, ex(ok + "x", 1, 2)));
        assertEquals(ExemplarStorage.LABEL_LENGTH, st.validate(A, ex(ok + "x", 1, 2)));
    }

    @Test
    void aFullRingOverwritesTheOldestExemplarOfAllSeries() {
        ExemplarStorage st = new ExemplarStorage(3);
        st.add(A, ex("1", 1, 10));
        st.add(B, ex("2", 1, 11));
        st.add(A, ex("3", 1, 12));
        assertEquals(3, st.size());
        assertEquals(10.0, st.oldestTimestampSeconds() * 1000);
        st.add(B, ex("4", 1, 13)); // overwrites A@10
        assertEquals(List.of(12L), times(st, A));
        assertEquals(List.of(11L, 13L), times(st, B));
        st.add(B, ex("5", 1, 14)); // overwrites B@11
        st.add(B, ex("6", 1, 15)); // overwrites A@12: A has none left
        assertEquals(List.of(), times(st, A));
        assertEquals(1, st.seriesCount());
        assertEquals(List.of(13L, 14L, 15L), times(st, B));
        st.add(B, ex("7", 1, 16)); // a series overwriting its own oldest exemplar
        assertEquals(List.of(14L, 15L, 16L), times(st, B));
        assertEquals(ExemplarStorage.OK, st.add(A, ex("8", 1, 1)), "A forgotten: an old exemplar is new again");
        assertEquals(3, st.size());
    }

    @Test
    void theRingGrowsWhileFillingUpToItsCapacity() {
        ExemplarStorage st = new ExemplarStorage(5000);
        for (int i = 0; i < 7000; i++) {
            assertEquals(ExemplarStorage.OK, st.add(A, ex("t", i, i)));
        }
        assertEquals(5000, st.size());
        List<Long> ts = times(st, A);
        assertEquals(5000, ts.size());
        assertEquals(2000L, ts.get(0));
        assertEquals(6999L, ts.get(ts.size() - 1));
    }

    @Test
    void selectFiltersByTimeAndMatcherSetsAndSortsBySeries() {
        ExemplarStorage st = new ExemplarStorage(100);
        for (long t = 0; t < 10; t++) {
            st.add(B, ex("b", t, t));
            st.add(A, ex("a", t, t));
        }
        st.add(Labels.of("__name__", "other"), ex("o", 1, 5));
        List<SeriesExemplars> r = st.select(3, 5, ALL);
        assertEquals(2, r.size());
        assertEquals(A, r.get(0).seriesLabels());
        assertEquals(B, r.get(1).seriesLabels());
        assertEquals(List.of(3L, 4L, 5L), r.get(1).exemplars().stream().map(Exemplar::ts).toList());
        assertEquals(List.of(Labels.of("trace_id", "b")), r.get(1).exemplars().stream().map(Exemplar::labels)
                .distinct().toList());
        r = st.select(0, 100, List.of(List.of(Matcher.eq("s", "b")), List.of(Matcher.eq("__name__", "other"))));
        assertEquals(List.of(B, Labels.of("__name__", "other")), r.stream().map(SeriesExemplars::seriesLabels)
                .toList());
        assertTrue(st.select(11, 20, ALL).isEmpty());
        assertTrue(st.select(0, 100, List.of(List.of(Matcher.eq("s", "c")))).isEmpty());
    }

    @Test
    void capacityZeroDisables() {
        ExemplarStorage st = new ExemplarStorage(0);
        assertEquals(ExemplarStorage.DISABLED, st.add(A, ex("x", 1, 1)));
        assertEquals(ExemplarStorage.DISABLED, st.validate(A, ex("x", 1, 1)));
        assertTrue(st.select(0, 10, ALL).isEmpty());
        assertEquals(0, st.size());
    }
}
