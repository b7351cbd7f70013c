package io.jreceive.objstore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code S3} provider's settings, every key of Thanos' (minio-go based) S3 config plus one jreceive key,
 * {@code checksum_mode}. Parsing is strict, and {@link #toString()} masks {@code access_key}, {@code secret_key} and
 * {@code session_token}.
 *
 * <p>What jreceive acts on: {@code bucket}, {@code endpoint} (host[:port], no scheme; {@code insecure: true} means
 * plain HTTP), {@code region}, {@code access_key}/{@code secret_key}/{@code session_token} (static credentials;
 * without them the AWS SDK default credential chain is used, as with {@code aws_sdk_auth: true}),
 * {@code bucket_lookup_type}, {@code part_size}, {@code disable_multipart}, {@code send_content_md5},
 * {@code put_user_metadata} ({@code X-Amz-Storage-Class} sets the storage class), {@code list_objects_version},
 * {@code sse_config} (SSE-S3 and SSE-KMS), {@code max_retries}, {@code http_config.response_header_timeout} (read
 * timeout), {@code http_config.tls_handshake_timeout} (connect timeout), {@code insecure_skip_verify} and
 * {@code tls_config.ca_file}.
 *
 * <p>Accepted and without effect, because the JDK HTTP client used has no such knob: the connection pool sizes,
 * {@code idle_conn_timeout}, {@code expect_continue_timeout}, {@code disable_compression},
 * {@code disable_dualstack} (dual-stack endpoints are never used) and {@code trace.enable} (log
 * {@code software.amazon.awssdk.request} at DEBUG instead). Rejected with a message: {@code signature_version2: true},
 * SSE-C, client certificates, {@code tls_config.server_name} and {@code sts_endpoint}.
 *
 * <p>{@code checksum_mode} (jreceive only; Thanos would reject the key): {@code when_required} (default) or
 * {@code when_supported}. AWS SDK 2.30 and later add CRC checksums (trailing, with chunked encoding) to every upload
 * and validate them on download when {@code when_supported}; several S3-compatible stores reject such requests, so
 * jreceive only sends checksums that an operation requires, as minio-go does.
 */
public record S3Config(
        String bucket,
        String endpoint,
        String region,
        boolean disableDualstack,
        boolean awsSdkAuth,
        String accessKey,
        String secretKey,
        String sessionToken,
        boolean insecure,
        boolean signatureVersion2,
        Map<String, String> putUserMetadata,
        HttpConfig http,
        boolean trace,
        String listObjectsVersion,
        BucketLookup bucketLookupType,
        boolean sendContentMd5,
        boolean disableMultipart,
        long partSize,
        SseConfig sse,
        String stsEndpoint,
        int maxRetries,
        ChecksumMode checksumMode) implements ObjstoreConfig.Provider {

    /** {@code part_size} when the key is absent: 64 MiB. */
    public static final long DEFAULT_PART_SIZE = 64L << 20;
    /** {@code part_size} when the key is 0: 128 MiB, as minio-go picks. */
    public static final long ZERO_PART_SIZE = 128L << 20;
    /** The smallest part S3 accepts for all but the last part of a multipart upload: 5 MiB. */
    public static final long MIN_PART_SIZE = 5L << 20;

    /** How the bucket appears in request URLs. */
    public enum BucketLookup {
        /** Virtual-hosted style for AWS endpoints ({@code *.amazonaws.com}), path style for others (MinIO, Ceph). */
        AUTO,
        /** {@code https://<bucket>.<endpoint>/<key>}. */
        VIRTUAL_HOSTED,
        /** {@code https://<endpoint>/<bucket>/<key>}. */
        PATH
    }

    /** Which flexible checksums the AWS SDK adds to requests and validates on responses. */
    public enum ChecksumMode {
        /** Only when the operation requires one; what S3-compatible stores expect. */
        WHEN_REQUIRED,
        /** Whenever the operation supports one (the SDK's own default since 2.30). */
        WHEN_SUPPORTED
    }

    /** The SSE kinds of {@code sse_config.type}. */
    public enum SseType {
        /** No server-side encryption requested. */
        NONE,
        /** S3-managed keys ({@code AES256}). */
        SSE_S3,
        /** KMS-managed keys, with {@code kms_key_id} and an optional encryption context. */
        SSE_KMS
    }

    /**
     * {@code http_config}: timeouts and TLS. The defaults are objstore's.
     *
     * @param idleConnTimeout       {@code idle_conn_timeout}, default 1m30s (no effect)
     * @param responseHeaderTimeout {@code response_header_timeout}, default 2m, used as the socket read timeout
     * @param insecureSkipVerify    {@code insecure_skip_verify}: trust any server certificate
     * @param tlsHandshakeTimeout   {@code tls_handshake_timeout}, default 10s, used as the connect timeout
     * @param expectContinueTimeout {@code expect_continue_timeout}, default 1s (no effect)
     * @param maxIdleConns          {@code max_idle_conns}, default 100 (no effect)
     * @param maxIdleConnsPerHost   {@code max_idle_conns_per_host}, default 100 (no effect)
     * @param maxConnsPerHost       {@code max_conns_per_host}, default 0 (no effect)
     * @param tls                   {@code tls_config}
     * @param disableCompression    {@code disable_compression} (no effect)
     */
    public record HttpConfig(
            Duration idleConnTimeout,
            Duration responseHeaderTimeout,
            boolean insecureSkipVerify,
            Duration tlsHandshakeTimeout,
            Duration expectContinueTimeout,
            long maxIdleConns,
            long maxIdleConnsPerHost,
            long maxConnsPerHost,
            TlsConfig tls,
            boolean disableCompression) {

        static HttpConfig parse(YamlSection c) {
            HttpConfig h = new HttpConfig(
                    c.duration("idle_conn_timeout", Duration.ofSeconds(90)),
                    c.duration("response_header_timeout", Duration.ofMinutes(2)),
                    c.bool("insecure_skip_verify", false),
                    c.duration("tls_handshake_timeout", Duration.ofSeconds(10)),
                    c.duration("expect_continue_timeout", Duration.ofSeconds(1)),
                    c.integer("max_idle_conns", 100),
                    c.integer("max_idle_conns_per_host", 100),
                    c.integer("max_conns_per_host", 0),
                    TlsConfig.parse(c.section("tls_config")),
                    c.bool("disable_compression", false));
            c.finish();
            return h;
        }

        /** True when either {@code insecure_skip_verify} is set. */
        public boolean skipVerify() {
            return insecureSkipVerify || tls.insecureSkipVerify();
        }
    }

    /**
     * {@code http_config.tls_config}.
     *
     * @param caFile             {@code ca_file}: PEM CA certificates to trust instead of the JDK's
     * @param certFile           {@code cert_file} (rejected when set)
     * @param keyFile            {@code key_file} (rejected when set)
     * @param serverName         {@code server_name} (rejected when set)
     * @param insecureSkipVerify {@code insecure_skip_verify}
     */
    public record TlsConfig(String caFile, String certFile, String keyFile, String serverName,
                            boolean insecureSkipVerify) {
        static TlsConfig parse(YamlSection c) {
            TlsConfig t = new TlsConfig(c.str("ca_file", ""), c.str("cert_file", ""), c.str("key_file", ""),
                    c.str("server_name", ""), c.bool("insecure_skip_verify", false));
            c.finish();
            return t;
        }

        /** {@code ca_file} as a path, or null when unset. */
        public Path caPath() {
            return caFile.isEmpty() ? null : Path.of(caFile);
        }
    }

    /**
     * {@code sse_config}.
     *
     * @param type                 the kind, NONE when {@code type} is empty
     * @param kmsKeyId             {@code kms_key_id}, required for SSE-KMS
     * @param kmsEncryptionContext {@code kms_encryption_context}
     * @param encryptionKey        {@code encryption_key} (SSE-C only, which jreceive rejects)
     */
    public record SseConfig(SseType type, String kmsKeyId, Map<String, String> kmsEncryptionContext,
                            String encryptionKey) {
        static SseConfig parse(YamlSection c) {
            String type = c.str("type", "");
            String kmsKeyId = c.str("kms_key_id", "");
            Map<String, String> context = c.stringMap("kms_encryption_context");
            String key = c.str("encryption_key", "");
            c.finish();
            SseType t = switch (type) {
                case "" -> SseType.NONE;
                case "SSE-S3" -> SseType.SSE_S3;
                case "SSE-KMS" -> SseType.SSE_KMS;
                case "SSE-C" -> throw new ObjstoreConfigException(
                        "sse_config.type SSE-C is not supported by jreceive; use SSE-S3 or SSE-KMS");
                default -> throw new ObjstoreConfigException("Unsupported type \"" + type
                        + "\" was provided. Supported types are SSE-S3, SSE-KMS, SSE-C");
            };
            if (t == SseType.SSE_KMS && kmsKeyId.isEmpty()) {
                throw new ObjstoreConfigException("kms_key_id must be set if sse_config.type is set to 'SSE-KMS'");
            }
            return new SseConfig(t, kmsKeyId, context, key);
        }
    }

    static S3Config parse(YamlSection c) {
        S3Config s = new S3Config(
                c.str("bucket", ""),
                c.str("endpoint", ""),
                c.str("region", ""),
                c.bool("disable_dualstack", false),
                c.bool("aws_sdk_auth", false),
                c.str("access_key", ""),
                c.str("secret_key", ""),
                c.str("session_token", ""),
                c.bool("insecure", false),
                c.bool("signature_version2", false),
                c.stringMap("put_user_metadata"),
                HttpConfig.parse(c.section("http_config")),
                traceEnabled(c.section("trace")),
                c.str("list_objects_version", ""),
                bucketLookup(c.str("bucket_lookup_type", "auto")),
                c.bool("send_content_md5", true),
                c.bool("disable_multipart", false),
                partSize(c.integer("part_size", DEFAULT_PART_SIZE)),
                SseConfig.parse(c.section("sse_config")),
                c.str("sts_endpoint", ""),
                (int) Math.min(Integer.MAX_VALUE, c.integer("max_retries", 0)),
                checksumMode(c.str("checksum_mode", "when_required")));
        c.finish();
        s.validate();
        return s;
    }

    private void validate() {
        if (bucket.isEmpty()) {
            throw new ObjstoreConfigException("no s3 bucket in config file");
        }
        if (endpoint.isEmpty()) {
            throw new ObjstoreConfigException("no s3 endpoint in config file");
        }
        if (endpoint.contains("://") || endpoint.contains("/")) {
            throw new ObjstoreConfigException("s3 endpoint \"" + endpoint + "\" must be host[:port] without scheme"
                    + " or path (set insecure: true for plain HTTP)");
        }
        if (awsSdkAuth && !accessKey.isEmpty()) {
            throw new ObjstoreConfigException("aws_sdk_auth and access_key are mutually exclusive configurations");
        }
        if (accessKey.isEmpty() && !secretKey.isEmpty()) {
            throw new ObjstoreConfigException("no s3 access_key specified while secret_key is present in config"
                    + " file; either both should be present in config or envvars/IAM should be used.");
        }
        if (!accessKey.isEmpty() && secretKey.isEmpty()) {
            throw new ObjstoreConfigException("no s3 secret_key specified while access_key is present in config"
                    + " file; either both should be present in config or envvars/IAM should be used.");
        }
        if (signatureVersion2) {
            throw new ObjstoreConfigException("signature_version2 is not supported by jreceive: it signs with"
                    + " AWS Signature Version 4 only");
        }
        if (!listObjectsVersion.isEmpty() && !listObjectsVersion.equals("v1") && !listObjectsVersion.equals("v2")) {
            throw new ObjstoreConfigException("Unsupported list_objects_version \"" + listObjectsVersion
                    + "\" (\"v1\", \"v2\" or empty)");
        }
        if (maxRetries < 0) {
            throw new ObjstoreConfigException("max_retries must not be negative");
        }
        if (!http.tls().certFile().isEmpty() || !http.tls().keyFile().isEmpty()) {
            throw new ObjstoreConfigException("http_config.tls_config.cert_file/key_file (client certificates)"
                    + " are not supported by jreceive");
        }
        if (!http.tls().serverName().isEmpty()) {
            throw new ObjstoreConfigException("http_config.tls_config.server_name is not supported by jreceive");
        }
        if (!stsEndpoint.isEmpty()) {
            throw new ObjstoreConfigException("sts_endpoint is not supported by jreceive; with aws_sdk_auth the AWS"
                    + " SDK finds STS itself (AWS_ENDPOINT_URL_STS)");
        }
    }

    private static boolean traceEnabled(YamlSection c) {
        boolean enable = c.bool("enable", false);
        c.finish();
        return enable;
    }

    private static BucketLookup bucketLookup(String s) {
        return switch (s) {
            case "auto" -> BucketLookup.AUTO;
            case "virtual-hosted" -> BucketLookup.VIRTUAL_HOSTED;
            case "path" -> BucketLookup.PATH;
            default -> throw new ObjstoreConfigException("Unsupported bucket_lookup_type \"" + s
                    + "\" (auto, virtual-hosted or path)");
        };
    }

    private static long partSize(long configured) {
        if (configured == 0) {
            return ZERO_PART_SIZE;
        }
        if (configured < MIN_PART_SIZE) {
            throw new ObjstoreConfigException("part_size " + configured
                    + " is smaller than the allowed minimum of 5MiB (5242880); 0 means 128MiB");
        }
        return configured;
    }

    private static ChecksumMode checksumMode(String s) {
        try {
            return ChecksumMode.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ObjstoreConfigException("Unsupported checksum_mode \"" + s
                    + "\" (when_required or when_supported)");
        }
    }

    /** Whether requests name the bucket in the path, per {@code bucket_lookup_type}. */
    public boolean pathStyle() {
        return switch (bucketLookupType) {
            case PATH -> true;
            case VIRTUAL_HOSTED -> false;
            case AUTO -> !awsEndpoint();
        };
    }

    /** True for an AWS S3 endpoint ({@code *.amazonaws.com}, {@code *.amazonaws.com.cn}). */
    public boolean awsEndpoint() {
        String host = host().toLowerCase(Locale.ROOT);
        return host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn");
    }

    /**
     * The signing region: {@code region} if set, else the one named in an AWS endpoint
     * ({@code s3.eu-west-1.amazonaws.com}), else {@code us-east-1}, which MinIO and most S3-compatible stores accept.
     */
    public String signingRegion() {
        if (!region.isEmpty()) {
            return region;
        }
        if (awsEndpoint()) {
            String[] parts = host().toLowerCase(Locale.ROOT).split("\\.");
            for (String p : parts) {
                if (p.matches("[a-z]{2}(-gov)?-[a-z]+-\\d")) {
                    return p;
                }
            }
            for (String p : parts) {
                if (p.startsWith("s3-") && p.substring(3).matches("[a-z]{2}(-gov)?-[a-z]+-\\d")) {
                    return p.substring(3);
                }
            }
        }
        return "us-east-1";
    }

    /** {@code endpoint} without its port ({@code [::1]:9000} gives {@code ::1}). */
    private String host() {
        if (endpoint.startsWith("[")) {
            int end = endpoint.indexOf(']');
            return end < 0 ? endpoint : endpoint.substring(1, end);
        }
        int colon = endpoint.indexOf(':');
        return colon < 0 ? endpoint : endpoint.substring(0, colon);
    }

    /** Renders every setting with {@code access_key}, {@code secret_key} and {@code session_token} masked. */
    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region
                + ", disableDualstack=" + disableDualstack + ", awsSdkAuth=" + awsSdkAuth
                + ", accessKey=" + mask(accessKey) + ", secretKey=" + mask(secretKey)
                + ", sessionToken=" + mask(sessionToken) + ", insecure=" + insecure
                + ", signatureVersion2=" + signatureVersion2 + ", putUserMetadata=" + putUserMetadata
                + ", http=" + http + ", trace=" + trace + ", listObjectsVersion=" + listObjectsVersion
                + ", bucketLookupType=" + bucketLookupType + ", sendContentMd5=" + sendContentMd5
                + ", disableMultipart=" + disableMultipart + ", partSize=" + partSize + ", sse=" + sse
                + ", stsEndpoint=" + stsEndpoint + ", maxRetries=" + maxRetries
                + ", checksumMode=" + checksumMode + "]";
    }

    private static String mask(String secret) {
        return secret.isEmpty() ? "" : "<masked>";
    }
}
