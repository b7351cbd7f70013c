package io.jreceive.limits;

import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.jreceive.config.ByteSize;

/**
 * Thanos Receive's write limits file ({@code --receive.limits-config(-file)}), read strictly as Thanos'
 * {@code yaml.UnmarshalStrict} does (an unknown key is an error):
 * <pre>
 * write:
 *   global:  {max_concurrency, meta_monitoring_url, meta_monitoring_http_client, meta_monitoring_limit_query}
 *   default: {request: {size_bytes_limit, series_limit, samples_limit}, head_series_limit}
 *   tenants: {&lt;tenant&gt;: {request: {...}, head_series_limit}}
 * </pre>
 * 0 or absent means unlimited; a field absent in a tenant entry inherits the default. The meta-monitoring keys are
 * validated as Thanos does and otherwise unused: jreceive counts each tenant's head series itself.
 * {@code size_bytes_limit} is an integer as in Thanos; a byte size such as {@code 1MiB} is accepted too.
 *
 * @param maxConcurrency requests processed at once, 0 = unlimited; the others wait
 * @param defaults       limits of tenants without an entry
 * @param tenants        each listed tenant's limits, defaults already filled in
 */
public record LimitsConfig(long maxConcurrency, TenantLimits defaults, Map<String, TenantLimits> tenants) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** No limits at all. */
    public static final LimitsConfig NONE = new LimitsConfig(0, TenantLimits.UNLIMITED, Map.of());

    /**
     * One tenant's limits, 0 = unlimited.
     *
     * @param sizeBytes  compressed and decompressed body size; past it 413 {@code write request too large}
     * @param series     series per request; past it 413 {@code too many timeseries}
     * @param samples    float samples per request; past it 413 {@code too many samples}
     * @param headSeries series in the tenant's head; at or past it 429 {@code tenant is above active series limit}
     */
    public record TenantLimits(long sizeBytes, long series, long samples, long headSeries) {
        public static final TenantLimits UNLIMITED = new TenantLimits(0, 0, 0, 0);
    }

    /** The limits of {@code tenant}: its own entry, or the defaults. */
    public TenantLimits forTenant(String tenant) {
        TenantLimits t = tenants.get(tenant);
        return t != null ? t : defaults;
    }

    /** Parses the YAML text; throws {@link IllegalArgumentException} with one line naming the problem. */
    public static LimitsConfig parse(String yaml) {
        JsonNode root;
        try {
            root = yaml.isBlank() ? null : YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("parsing limits config YAML: " + e.getOriginalMessage());
        }
        Section top = new Section("", root);
        Section write = top.section("write");
        top.finish();
        Section global = write.section("global");
        Section dflt = write.section("default");
        JsonNode tenantsNode = write.value("tenants");
        write.finish();

        long maxConcurrency = global.integer("max_concurrency");
        String url = global.string("meta_monitoring_url");
        if (url != null && !url.isEmpty()) {
            checkMetaMonitoringUrl(url);
        }
        global.value("meta_monitoring_http_client");
        global.string("meta_monitoring_limit_query");
        global.finish();

        TenantLimits defaults = limits(dflt, TenantLimits.UNLIMITED);
        Map<String, TenantLimits> tenants = new LinkedHashMap<>();
        if (tenantsNode != null) {
            if (!tenantsNode.isObject()) {
                throw new IllegalArgumentException("limits config: write.tenants must be a mapping of tenant names");
            }
            for (Map.Entry<String, JsonNode> e : tenantsNode.properties()) {
                tenants.put(e.getKey(), limits(new Section("write.tenants." + e.getKey(), e.getValue()), defaults));
            }
        }
        return new LimitsConfig(maxConcurrency, defaults, Map.copyOf(tenants));
    }

    /** A {@code default} or tenant entry; absent fields take {@code inherit}'s. */
    private static TenantLimits limits(Section s, TenantLimits inherit) {
        Section req = s.section("request");
        Long head = s.optionalInteger("head_series_limit");
        s.finish();
        JsonNode sizeNode = req.value("size_bytes_limit");
        Long series = req.optionalInteger("series_limit");
        Long samples = req.optionalInteger("samples_limit");
        req.finish();
        long size = inherit.sizeBytes();
        if (sizeNode != null) {
            if (sizeNode.isIntegralNumber()) {
                size = sizeNode.longValue();
            } else if (sizeNode.isTextual()) {
                try {
                    size = ByteSize.parse(sizeNode.asText());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("limits config: " + req.child("size_bytes_limit") + ": "
                            + e.getMessage());
                }
            } else {
                throw new IllegalArgumentException("limits config: " + req.child("size_bytes_limit")
                        + " must be an integer");
            }
        }
        return new TenantLimits(size, series != null ? series : inherit.series(),
                samples != null ? samples : inherit.samples(), head != null ? head : inherit.headSeries());
    }

    private static void checkMetaMonitoringUrl(String url) {
        String scheme = "";
        String host = "";
        try {
            URI u = new URI(url);
            scheme = u.getScheme() == null ? "" : u.getScheme();
            host = u.getRawAuthority() == null ? "" : u.getRawAuthority();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("limits config: parsing meta-monitoring URL: " + e.getMessage());
        }
        if (scheme.isEmpty() || host.isEmpty()) {
            throw new IllegalArgumentException(url + " is not a valid meta-monitoring URL (scheme: " + scheme
                    + ",host: " + host + ")");
        }
    }

    /** One mapping read strictly: {@link #finish()} rejects any key no accessor asked for. */
    private static final class Section {
        private final String path;
        private final JsonNode node;
        private final Set<String> known = new java.util.HashSet<>();

        Section(String path, JsonNode node) {
            if (node != null && !node.isNull() && !node.isObject()) {
                throw new IllegalArgumentException("limits config: " + where(path) + " must be a mapping");
            }
            this.path = path;
            this.node = node;
        }

        Section section(String key) {
            return new Section(child(key), value(key));
        }

        JsonNode value(String key) {
            known.add(key);
            if (node == null || node.isNull()) {
                return null;
            }
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? null : v;
        }

        String string(String key) {
            JsonNode v = value(key);
            if (v != null && !v.isValueNode()) {
                throw new IllegalArgumentException("limits config: " + child(key) + " must be a string");
            }
            return v == null ? null : v.asText();
        }

        long integer(String key) {
            Long v = optionalInteger(key);
            return v == null ? 0 : v;
        }

        Long optionalInteger(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new IllegalArgumentException("limits config: " + child(key) + " must be an integer");
            }
            return v.longValue();
        }

        void finish() {
            if (node == null || node.isNull()) {
                return;
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("limits config: unknown field \"" + name + "\" in "
                            + where(path) + " (strict parsing, as Thanos)");
                }
            }
        }

        String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private static String where(String path) {
            return path.isEmpty() ? "top level" : path;
        }
    }
}
