package io.jreceive.objstore;

import io.jreceive.config.GoDuration;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One YAML mapping of an objstore config read strictly, the way Go's {@code yaml.UnmarshalStrict} reads a struct:
 * each accessor names a key it knows and {@link #finish()} rejects any key no accessor asked for. Absent and null
 * keys give the default, as Go leaves the zero value. {@code path} names the mapping in messages
 * ({@code config.http_config}).
 */
final class YamlSection {
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new HashSet<>();

    private YamlSection(String path, JsonNode node) {
        this.path = path;
        this.node = node;
    }

    /** The mapping {@code node} at {@code path}; a missing or null node reads as an empty mapping. */
    static YamlSection of(String path, JsonNode node) {
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new ObjstoreConfigException("objstore config: " + where(path) + " must be a mapping, got "
                    + node.getNodeType().name().toLowerCase());
        }
        return new YamlSection(path, node);
    }

    String str(String key, String dflt) {
        JsonNode v = value(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw wrongKind(key, "a string");
        }
        return v.asText();
    }

    boolean bool(String key, boolean dflt) {
        JsonNode v = value(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw wrongKind(key, "true or false");
        }
        return v.booleanValue();
    }

    long integer(String key, long dflt) {
        JsonNode v = value(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongKind(key, "an integer");
        }
        return v.longValue();
    }

    Duration duration(String key, Duration dflt) {
        JsonNode v = value(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw wrongKind(key, "a duration such as 1m30s");
        }
        try {
            return GoDuration.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new ObjstoreConfigException("objstore config: " + where(child(key)) + ": " + e.getMessage());
        }
    }

    Map<String, String> stringMap(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw wrongKind(key, "a mapping of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isValueNode()) {
                throw wrongKind(key + "." + e.getKey(), "a string");
            }
            out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    YamlSection section(String key) {
        return of(child(key), value(key));
    }

    /** Fails on the first key that no accessor asked for. */
    void finish() {
        if (node == null || node.isNull()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new ObjstoreConfigException("objstore config: unknown field \"" + name + "\" in "
                        + where(path) + " (strict parsing, as Thanos)");
            }
        }
    }

    private JsonNode value(String key) {
        known.add(key);
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private ObjstoreConfigException wrongKind(String key, String expected) {
        return new ObjstoreConfigException("objstore config: " + where(child(key)) + " must be " + expected);
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String where(String path) {
        return path.isEmpty() ? "top level" : "\"" + path + "\"";
    }
}
