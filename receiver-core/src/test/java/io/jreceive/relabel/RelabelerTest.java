package io.jreceive.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Prometheus' own relabel test cases (TestRelabel, TestRelabelValidate, TestTargetLabelValidity of
 * model/relabel/relabel_test.go, transcribed as data in {@code relabel/prometheus-relabel-cases.json}), plus the
 * YAML forms an operator writes.
 */
class RelabelerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prometheusRelabelCases() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/relabel/prometheus-relabel-cases.json")) {
            doc = JSON.readTree(in);
        }
        int n = 0;
        for (JsonNode c : doc.get("cases")) {
            List<RelabelConfig> rules = new ArrayList<>();
            for (JsonNode r : c.get("relabel")) {
                List<String> sources = null;
                if (r.has("source_labels")) {
                    sources = new ArrayList<>();
                    for (JsonNode s : r.get("source_labels")) {
                        sources.add(s.asText());
                    }
                }
                rules.add(RelabelConfig.of(sources, str(r, "separator"), str(r, "regex"),
                        r.has("modulus") ? r.get("modulus").asLong() : 0, str(r, "target_label"),
                        str(r, "replacement"), r.has("action")
                                ? RelabelConfig.Action.valueOf(r.get("action").asText().toUpperCase())
                                : null));
            }
            TreeMap<String, String> labels = map(c.get("input"));
            boolean keep = new Relabeler(rules).process(labels);
            String what = "case " + n + ": " + c;
            assertEquals(!c.has("drop"), keep, what);
            if (keep) {
                assertEquals(map(c.get("output")), labels, what);
            }
            n++;
        }
        assertEquals(28, n, "every case of Prometheus' TestRelabel");
    }

    @Test
    void prometheusValidation() {
        assertTrue(invalid(null, null, null, 0, null, null, RelabelConfig.Action.REPLACE)
                .contains("requires 'target_label' value"));
        assertTrue(invalid(null, null, null, 0, null, null, RelabelConfig.Action.LOWERCASE)
                .contains("requires 'target_label' value"));
        // Prometheus' test expects "${3}" to be refused here under legacy name validation; Thanos v0.38 runs with
        // prometheus/common's default, UTF-8 validation, where any non-empty name is valid, and so does jreceive.
        RelabelConfig.of(null, null, null, 0, "${3}", "$1", RelabelConfig.Action.LOWERCASE);
        RelabelConfig.of(List.of("a"), null, "some-([^-]+)-([^,]+)", 0, "${3}", "${1}", RelabelConfig.Action.REPLACE);
        assertTrue(invalid(List.of("a"), null, "some-([^-]+)-([^,]+)", 0, "0${3}", "${1}",
                RelabelConfig.Action.REPLACE).contains("\"0${3}\" is invalid 'target_label'"));
        assertTrue(invalid(List.of("a"), null, "some-([^-]+)-([^,]+)", 0, "-${3}", "${1}",
                RelabelConfig.Action.REPLACE).contains("\"-${3}\" is invalid 'target_label' for replace action"));
        assertTrue(invalid(null, null, null, 0, "x", null, RelabelConfig.Action.HASHMOD).contains("non-zero modulus"));
        assertTrue(invalid(List.of("a"), null, null, 0, null, null, RelabelConfig.Action.LABELDROP)
                .contains("requires only 'regex'"));
        assertTrue(invalid(List.of("a"), null, "x", 0, "b", null, RelabelConfig.Action.KEEPEQUAL)
                .contains("requires only 'source_labels' and `target_label`"));
    }

    @Test
    void targetLabelValidity() {
        Map<String, Boolean> cases = new java.util.LinkedHashMap<>();
        cases.put("label${1}", true);
        cases.put("${1}label", true);
        cases.put("${1}", true);
        cases.put("${", false);
        cases.put("$", false);
        cases.put("${}", false);
        cases.put("foo${", false);
        cases.put("$1", true);
        cases.put("asd$2asd", true);
        cases.put("-foo${1}bar-", false);
        cases.put("_${1}_", true);
        cases.put("foo${bar}foo", true);
        for (Map.Entry<String, Boolean> e : cases.entrySet()) {
            boolean ok;
            try {
                RelabelConfig.of(List.of("a"), null, null, 0, e.getKey(), null, RelabelConfig.Action.REPLACE);
                ok = true;
            } catch (IllegalArgumentException x) {
                ok = false;
            }
            assertEquals(e.getValue(), ok, e.getKey());
        }
    }

    @Test
    void yamlWithDefaults() {
        List<RelabelConfig> rules = RelabelConfig.parseList("""
                - source_labels: [job, __meta_dns_name]
                  regex: "(.*)some-[regex]"
                  target_label: job
                  replacement: foo-${1}
                - source_labels: [abc]
                  target_label: cde
                - replacement: static
                  target_label: abc
                - regex:
                  replacement: static
                  target_label: abc
                - action: HashMod
                  source_labels: [job]
                  modulus: 8
                  target_label: shard
                """);
        assertEquals(RelabelConfig.Action.REPLACE, rules.get(0).action());
        assertEquals(";", rules.get(1).separator());
        assertEquals("$1", rules.get(1).replacement());
        assertEquals("(.*)", rules.get(1).regexText());
        assertEquals("", rules.get(3).regexText(), "an empty regex: key is the empty pattern");
        assertEquals(RelabelConfig.Action.HASHMOD, rules.get(4).action(), "actions are case-insensitive");
        TreeMap<String, String> l = new TreeMap<>(Map.of("__meta_dns_name", "example-some-x.com", "abc", "def",
                "job", "foo"));
        assertTrue(new Relabeler(rules.subList(0, 4)).process(l));
        assertEquals(Map.of("__meta_dns_name", "example-some-x.com", "abc", "static", "cde", "def", "job", "foo"), l);
        assertThrows(IllegalArgumentException.class, () -> RelabelConfig.parseList("- action: replace\n  bogus: 1"));
        assertThrows(IllegalArgumentException.class, () -> RelabelConfig.parseList("- regex: '('"));
    }

    @Test
    void re2SemanticsAnchored() {
        // Anchored: "o" alone does not match "foo"; RE2 has no backreferences.
        TreeMap<String, String> l = new TreeMap<>(Map.of("a", "foo"));
        assertTrue(new Relabeler(List.of(RelabelConfig.of(List.of("a"), null, "o", 0, null, null,
                RelabelConfig.Action.DROP))).process(l));
        assertThrows(IllegalArgumentException.class, () -> RelabelConfig.compile("(a)\\1"));
    }

    private static String invalid(List<String> sources, String sep, String regex, long mod, String target,
                                  String repl, RelabelConfig.Action a) {
        return assertThrows(IllegalArgumentException.class,
                () -> RelabelConfig.of(sources, sep, regex, mod, target, repl, a)).getMessage();
    }

    private static String str(JsonNode n, String k) {
        return n.has(k) ? n.get(k).asText() : null;
    }

    private static TreeMap<String, String> map(JsonNode n) {
        TreeMap<String, String> m = new TreeMap<>();
        n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
