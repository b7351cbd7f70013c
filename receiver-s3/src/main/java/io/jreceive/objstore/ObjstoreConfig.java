package io.jreceive.objstore;

import java.util.Locale;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A Thanos objstore configuration, the YAML given to {@code --objstore.config} or {@code --objstore.config-file}:
 *
 * <pre>
 * type: S3            # or FILESYSTEM; case-insensitive
 * config: { ... }     # the provider's settings, see {@link S3Config} and {@link FilesystemConfig}
 * prefix: ""          # optional; every object key is put under it
 * </pre>
 *
 * Parsing is strict at every level as in Thanos: an unknown key fails with its path in the message. {@link
 * Buckets#create} turns a config into a {@link Bucket}. {@link #toString()} never shows secrets.
 *
 * @param type     the provider
 * @param provider the provider's settings, an {@link S3Config} or a {@link FilesystemConfig}
 * @param prefix   the key prefix without leading or trailing slashes, empty for none
 */
public record ObjstoreConfig(Type type, Provider provider, String prefix) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The object store kinds jreceive supports. */
    public enum Type {
        /** Amazon S3 and S3-compatible stores (MinIO, Ceph RGW, ...). */
        S3,
        /** A local directory; for tests and demos. */
        FILESYSTEM
    }

    /** The provider-specific part of a config, {@code config:} in the YAML. */
    public sealed interface Provider permits S3Config, FilesystemConfig {
    }

    /**
     * Parses objstore YAML text.
     *
     * @throws ObjstoreConfigException when the text is not valid YAML, has an unknown key or misses a setting
     */
    public static ObjstoreConfig parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new ObjstoreConfigException("objstore config: not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ObjstoreConfigException("objstore config: empty");
        }
        YamlSection top = YamlSection.of("", root);
        String typeName = top.str("type", "").trim().toUpperCase(Locale.ROOT);
        YamlSection config = top.section("config");
        String prefix = trimSlashes(top.str("prefix", ""));
        top.finish();
        Type type;
        try {
            type = Type.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new ObjstoreConfigException(typeName.isEmpty()
                    ? "objstore config: missing \"type\" (S3 or FILESYSTEM)"
                    : "objstore config: bucket with type " + typeName + " is not supported (S3 or FILESYSTEM)");
        }
        Provider provider = switch (type) {
            case S3 -> S3Config.parse(config);
            case FILESYSTEM -> FilesystemConfig.parse(config);
        };
        return new ObjstoreConfig(type, provider, prefix);
    }

    private static String trimSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }
}
