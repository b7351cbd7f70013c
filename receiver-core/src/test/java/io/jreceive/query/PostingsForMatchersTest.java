package io.jreceive.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/** Matcher semantics and postings selection on a head, checked against brute force over every series. */
class PostingsForMatchersTest {
    private static final List<Labels> SERIES = List.of(
            Labels.of("__name__", "up", "job", "a", "instance", "i1"),
            Labels.of("__name__", "up", "job", "b", "instance", "i2"),
            Labels.of("__name__", "up", "job", "a"),
            Labels.of("__name__", "down", "job", "c\nd", "instance", "i3"),
            Labels.of("__name__", "x"));

    private static Head head() {
        Head head = new Head(7_200_000L, 0);
        RemoteWriteRequests r = new RemoteWriteRequests();
        SERIES.forEach(l -> r.series(l, 1000, 1));
        byte[] raw = r.v1Message().toByteArray();
        WriteBatch b = new WriteBatch();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        head.append(b, new Head.AppendContext(), (s, x) -> CompletableFuture.completedFuture(null)).join();
        return head;
    }

    @Test
    void matcherSemantics() {
        assertTrue(Matcher.eq("a", "").matchesEmpty());
        assertFalse(Matcher.neq("a", "").matchesEmpty());
        assertTrue(Matcher.re("a", ".*").matchesEmpty());
        assertFalse(Matcher.re("a", ".+").matchesEmpty());
        assertTrue(Matcher.re("a", "b").matches("b"));
        assertFalse(Matcher.re("a", "b").matches("ab"), "anchored");
        assertFalse(Matcher.re("a", "b|c").matches("bc"), "anchored alternation");
        assertTrue(Matcher.re("a", "a.c").matches("a\nc"), "dot matches newline");
        assertTrue(Matcher.re("a", "foo|bar").setValues().length == 2);
        assertNull(Matcher.re("a", "fo+").setValues());
        assertTrue(Matcher.nre("a", "x|y").matches("z"));
        assertThrows(IllegalArgumentException.class, () -> Matcher.re("a", "("));
    }

    @Test
    void selectionEqualsBruteForce() {
        Head head = head();
        List<List<Matcher>> cases = List.of(
                List.of(Matcher.eq("job", "a")),
                List.of(Matcher.eq("__name__", "up"), Matcher.neq("job", "a")),
                List.of(Matcher.re("job", "a|c\nd")),
                List.of(Matcher.re("job", "c.d")),
                List.of(Matcher.nre("instance", "i[12]")),
                List.of(Matcher.eq("instance", "")),
                List.of(Matcher.neq("instance", "")),
                List.of(Matcher.re("anything", ".*")),
                List.of(Matcher.re("instance", ".+"), Matcher.nre("job", "b")),
                List.of(Matcher.eq("job", "")),
                List.of(Matcher.eq("__name__", "nothing")),
                List.of());
        for (List<Matcher> ms : cases) {
            List<Labels> want = new ArrayList<>();
            for (Labels l : SERIES) {
                if (ms.stream().allMatch(m -> m.matches(orEmpty(l.get(m.name()))))) {
                    want.add(l);
                }
            }
            List<Labels> got = new ArrayList<>();
            int[] refs = PostingsForMatchers.select(head, ms);
            for (int i = 1; i < refs.length; i++) {
                assertTrue(refs[i - 1] < refs[i], "ascending");
            }
            for (int ref : refs) {
                assertNotNull(head.labels(ref));
                got.add(head.labels(ref));
            }
            want.sort(Labels::compareTo);
            got.sort(Labels::compareTo);
            assertEquals(want, got, ms.toString());
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
