package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HashringsParserTest {
    @Test
    void stringsObjectsTenantsAlgorithmAndLabels() {
        List<HashringConfig> c = HashringsParser.parse("""
                [{"hashring": "a", "tenants": ["t1", "t2"], "endpoints": ["r1:10901", {"address": "r2:10901",
                  "az": "z1"}, {"Address": "r3:10901", "capnproto_address": "r3:7000", "unknown": 1}],
                  "algorithm": "ketama", "external_labels": {"zone": "eu", "b": "1"}},
                 {"endpoints": ["default:10901"], "Tenant_Matcher_Type": "glob"}]""");
        assertEquals(2, c.size());
        HashringConfig a = c.get(0);
        assertEquals("a", a.name());
        assertEquals(List.of("t1", "t2"), a.tenants());
        assertEquals(List.of(new Endpoint("r1:10901", "r1:19391", ""), new Endpoint("r2:10901", "r2:19391", "z1"),
                new Endpoint("r3:10901", "r3:7000", "")), a.endpoints());
        assertEquals("ketama", a.algorithm());
        assertEquals(Map.of("zone", "eu", "b", "1"), a.externalLabels());
        assertTrue(a.exact());
        assertEquals("glob", c.get(1).tenantMatcherType());
    }

    @Test
    void refusals() {
        assertEquals("configuration file is empty",
                assertThrows(IllegalArgumentException.class, () -> HashringsParser.parse("[]")).getMessage());
        assertEquals("endpoint address must be set", assertThrows(IllegalArgumentException.class,
                () -> HashringsParser.parse("[{\"endpoints\": [{\"az\": \"a\"}]}]")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HashringsParser.parse("[{\"endpoints\": [\"a\"]"));
        assertThrows(IllegalArgumentException.class, () -> HashringsParser.parse("{}"));
    }

    @Test
    void tenantSelectionInFileOrderExactThenGlobDefaultLast() {
        Hashrings h = new Hashrings(HashringsParser.parse("""
                [{"tenants": ["team-a"], "endpoints": ["a"], "external_labels": {"team": "a"}},
                 {"tenants": ["team-*", "x?"], "tenant_matcher_type": "glob", "endpoints": ["g"]},
                 {"tenants": ["odd"], "tenant_matcher_type": "regex", "endpoints": ["never"]},
                 {"endpoints": ["d"]}]"""), "hashmod", 1);
        assertEquals("a", h.placement("team-a").endpoint(0, 0).address());
        assertEquals("g", h.placement("team-b").endpoint(0, 0).address());
        assertEquals("g", h.placement("xy").endpoint(0, 0).address());
        assertEquals("d", h.placement("xyz").endpoint(0, 0).address());
        assertEquals("d", h.placement("odd").endpoint(0, 0).address());
        assertSame(h.placement("team-b"), h.placement("team-b"));
        assertEquals(Map.of("team", "a"), h.externalLabels("team-a"));
        assertEquals(Map.of(), h.externalLabels("team-b"));
        assertEquals(List.of("a", "d", "g", "never"), h.nodes().stream().map(Endpoint::address).toList());
    }

    @Test
    void noMatchAndPerHashringAlgorithm() {
        Hashrings h = new Hashrings(HashringsParser.parse("""
                [{"tenants": ["t"], "endpoints": ["a", "b"], "algorithm": "ketama"}]"""), "hashmod", 2);
        assertTrue(h.placement("t") instanceof Ketama);
        assertEquals(Hashrings.NO_MATCH, assertThrows(IllegalStateException.class,
                () -> h.placement("other")).getMessage());
        assertTrue(new Hashrings(HashringsParser.parse("[{\"endpoints\": [\"a\"], \"algorithm\": \"nope\"}]"),
                "ketama", 1).placement("t") instanceof Hashmod);
        assertThrows(IllegalArgumentException.class, () -> new Hashrings(HashringsParser.parse(
                "[{\"endpoints\": [\"a\"], \"algorithm\": \"ketama\"}]"), "hashmod", 3));
    }

    @Test
    void globFollowsGoFilepathMatch() {
        assertTrue(Glob.match("a*", "abc"));
        assertTrue(Glob.match("a?c", "abc"));
        assertTrue(Glob.match("[a-c]x", "bx"));
        assertTrue(Glob.match("[^a-c]x", "dx"));
        assertTrue(Glob.match("a\\*", "a*"));
        assertTrue(!Glob.match("a*", "a/b"));
        assertTrue(!Glob.match("a?c", "ac"));
        assertTrue(Glob.match("*", ""));
        assertThrows(IllegalArgumentException.class, () -> Glob.match("[a", "a"));
        assertThrows(IllegalArgumentException.class, () -> Glob.match("x[", "a"));
    }
}
