package io.jreceive.ring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a hashring file ({@code --receive.hashrings-file} or {@code --receive.hashrings}) as Thanos'
 * {@code ParseConfig} does with Go's {@code encoding/json}: a JSON array of hashrings; keys matched case-insensitively,
 * unknown keys ignored; an endpoint is a string or an object {@code {"address", "capnproto_address", "az"}}. An
 * empty array is refused ({@code configuration file is empty}), as is an endpoint without an address. Pure: text in,
 * records out.
 */
public final class HashringsParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HashringsParser() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the problem. */
    public static List<HashringConfig> parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("parse hashring configuration: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new IllegalArgumentException("configuration file is empty");
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("parse hashring configuration: expected a JSON array of hashrings");
        }
        if (root.isEmpty()) {
            throw new IllegalArgumentException("configuration file is empty");
        }
        List<HashringConfig> out = new ArrayList<>();
        for (JsonNode h : root) {
            if (!h.isObject()) {
                throw new IllegalArgumentException("parse hashring configuration: a hashring must be a JSON object");
            }
            out.add(hashring(h));
        }
        return out;
    }

    private static HashringConfig hashring(JsonNode h) {
        String name = text(field(h, "hashring"), "hashring");
        List<String> tenants = new ArrayList<>();
        JsonNode t = field(h, "tenants");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                throw new IllegalArgumentException("parse hashring configuration: tenants must be an array");
            }
            for (JsonNode v : t) {
                tenants.add(text(v, "tenants"));
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        JsonNode e = field(h, "endpoints");
        if (e != null && !e.isNull()) {
            if (!e.isArray()) {
                throw new IllegalArgumentException("parse hashring configuration: endpoints must be an array");
            }
            for (JsonNode v : e) {
                endpoints.add(endpoint(v));
            }
        }
        Map<String, String> labels = new TreeMap<>();
        JsonNode l = field(h, "external_labels");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) {
                throw new IllegalArgumentException("parse hashring configuration: external_labels must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> kv = it.next();
                labels.put(kv.getKey(), text(kv.getValue(), "external_labels"));
            }
        }
        return new HashringConfig(name, tenants, text(field(h, "tenant_matcher_type"), "tenant_matcher_type"),
                endpoints, text(field(h, "algorithm"), "algorithm"), labels);
    }

    private static Endpoint endpoint(JsonNode v) {
        if (v.isTextual()) {
            return Endpoint.of(v.asText());
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("parse hashring configuration: an endpoint must be a string or an "
                    + "object with an address");
        }
        String address = text(field(v, "address"), "address");
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("endpoint address must be set");
        }
        return new Endpoint(address, text(field(v, "capnproto_address"), "capnproto_address"),
                text(field(v, "az"), "az"));
    }

    /** A key looked up case-insensitively, as Go matches struct fields (an exact match wins). */
    private static JsonNode field(JsonNode obj, String key) {
        JsonNode exact = obj.get(key);
        if (exact != null) {
            return exact;
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equalsIgnoreCase(key)) {
                return obj.get(k);
            }
        }
        return null;
    }

    private static String text(JsonNode v, String what) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("parse hashring configuration: " + what + " must be a string");
        }
        return v.asText();
    }
}
