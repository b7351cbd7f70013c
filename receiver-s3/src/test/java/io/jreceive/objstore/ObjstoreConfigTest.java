package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ObjstoreConfigTest {
    /** The shape of the deployment's Kubernetes secret. */
    private static final String SECRET = """
            type: S3
            config:
              bucket: thanos
              endpoint: minio.monitoring.svc.cluster.local:9000
              access_key: AKIAEXAMPLEACCESS
              secret_key: wJalrXUtnFEMIexampleSECRET
              insecure: true
            """;

    private static S3Config s3(String yaml) {
        return assertInstanceOf(S3Config.class, ObjstoreConfig.parse(yaml).provider());
    }

    private static String failure(String yaml) {
        return assertThrows(ObjstoreConfigException.class, () -> ObjstoreConfig.parse(yaml)).getMessage();
    }

    @Test
    void deploymentSecretForm() {
        ObjstoreConfig c = ObjstoreConfig.parse(SECRET);
        assertEquals(ObjstoreConfig.Type.S3, c.type());
        assertEquals("", c.prefix());
        S3Config s = (S3Config) c.provider();
        assertEquals("thanos", s.bucket());
        assertEquals("minio.monitoring.svc.cluster.local:9000", s.endpoint());
        assertEquals("AKIAEXAMPLEACCESS", s.accessKey());
        assertEquals("wJalrXUtnFEMIexampleSECRET", s.secretKey());
        assertTrue(s.insecure());
        assertTrue(s.pathStyle(), "auto lookup on a non-AWS endpoint is path style");
        assertEquals("us-east-1", s.signingRegion());
        assertEquals(S3Config.DEFAULT_PART_SIZE, s.partSize());
        assertTrue(s.sendContentMd5());
        assertEquals(S3Config.ChecksumMode.WHEN_REQUIRED, s.checksumMode());
        assertEquals(Duration.ofMinutes(2), s.http().responseHeaderTimeout());
        assertEquals(Duration.ofSeconds(90), s.http().idleConnTimeout());
        assertEquals(S3Config.SseType.NONE, s.sse().type());
    }

    @Test
    void typeIsCaseInsensitiveAndPrefixTrimmed() {
        ObjstoreConfig c = ObjstoreConfig.parse("type: s3\nconfig: {bucket: b, endpoint: e:1}\nprefix: /a/b/\n");
        assertEquals(ObjstoreConfig.Type.S3, c.type());
        assertEquals("a/b", c.prefix());
        ObjstoreConfig fs = ObjstoreConfig.parse("type: filesystem\nconfig:\n  directory: /tmp/x\n");
        assertEquals(ObjstoreConfig.Type.FILESYSTEM, fs.type());
        assertEquals(Path.of("/tmp/x"), ((FilesystemConfig) fs.provider()).directory());
    }

    @Test
    void everyThanosS3KeyIsAccepted() {
        S3Config s = s3("""
                type: S3
                config:
                  bucket: "thanos"
                  endpoint: "s3.eu-west-1.amazonaws.com"
                  region: ""
                  disable_dualstack: false
                  aws_sdk_auth: false
                  access_key: "a"
                  secret_key: "b"
                  session_token: "t"
                  insecure: false
                  signature_version2: false
                  put_user_metadata: {X-Amz-Storage-Class: STANDARD_IA, team: obs}
                  http_config:
                    idle_conn_timeout: 1m30s
                    response_header_timeout: 3m
                    insecure_skip_verify: false
                    tls_handshake_timeout: 15s
                    expect_continue_timeout: 1s
                    max_idle_conns: 100
                    max_idle_conns_per_host: 100
                    max_conns_per_host: 0
                    tls_config: {ca_file: "", cert_file: "", key_file: "", server_name: "", insecure_skip_verify: true}
                    disable_compression: false
                  trace:
                    enable: true
                  list_objects_version: "v1"
                  bucket_lookup_type: virtual-hosted
                  send_content_md5: false
                  disable_multipart: true
                  part_size: 0
                  sse_config:
                    type: SSE-KMS
                    kms_key_id: key-1
                    kms_encryption_context: {team: obs}
                    encryption_key: ""
                  sts_endpoint: ""
                  max_retries: 4
                  checksum_mode: when_supported
                prefix: "tenant-blocks"
                """);
        assertEquals(Duration.ofMinutes(3), s.http().responseHeaderTimeout());
        assertEquals(Duration.ofSeconds(15), s.http().tlsHandshakeTimeout());
        assertTrue(s.http().skipVerify());
        assertTrue(s.trace());
        assertEquals("v1", s.listObjectsVersion());
        assertFalse(s.pathStyle());
        assertFalse(s.sendContentMd5());
        assertTrue(s.disableMultipart());
        assertEquals(S3Config.ZERO_PART_SIZE, s.partSize(), "part_size 0 means 128MiB");
        assertEquals(S3Config.SseType.SSE_KMS, s.sse().type());
        assertEquals(Map.of("team", "obs"), s.sse().kmsEncryptionContext());
        assertEquals(4, s.maxRetries());
        assertEquals(S3Config.ChecksumMode.WHEN_SUPPORTED, s.checksumMode());
        assertEquals("eu-west-1", s.signingRegion(), "region taken from the AWS endpoint");
        assertEquals(Map.of("X-Amz-Storage-Class", "STANDARD_IA", "team", "obs"), s.putUserMetadata());
    }

    @Test
    void unknownKeysFailNamingTheKey() {
        assertTrue(failure(SECRET + "bucket: x\n").contains("\"bucket\""), "top level");
        assertTrue(failure(SECRET + "  endpoint_url: x\n").contains("\"endpoint_url\" in \"config\""));
        String nested = failure(SECRET + "  http_config:\n    idle_timeout: 1m\n");
        assertTrue(nested.contains("\"idle_timeout\" in \"config.http_config\""), nested);
        String tls = failure(SECRET + "  http_config:\n    tls_config:\n      ca: x\n");
        assertTrue(tls.contains("\"ca\" in \"config.http_config.tls_config\""), tls);
        String sse = failure(SECRET + "  sse_config:\n    type: SSE-S3\n    key: x\n");
        assertTrue(sse.contains("\"key\" in \"config.sse_config\""), sse);
        String trace = failure(SECRET + "  trace:\n    enabled: true\n");
        assertTrue(trace.contains("\"enabled\" in \"config.trace\""), trace);
        String fs = failure("type: FILESYSTEM\nconfig:\n  directory: /d\n  dir: /e\n");
        assertTrue(fs.contains("\"dir\" in \"config\""), fs);
    }

    @Test
    void requiredFieldsAndBadValues() {
        assertEquals("no s3 endpoint in config file", failure("type: S3\nconfig: {bucket: b}\n"));
        assertEquals("no s3 bucket in config file", failure("type: S3\nconfig: {endpoint: e}\n"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, secret_key: s}\n")
                .startsWith("no s3 access_key specified while secret_key is present"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, access_key: a}\n")
                .startsWith("no s3 secret_key specified while access_key is present"));
        assertEquals("aws_sdk_auth and access_key are mutually exclusive configurations",
                failure("type: S3\nconfig: {bucket: b, endpoint: e, aws_sdk_auth: true, access_key: a,"
                        + " secret_key: s}\n"));
        assertEquals("kms_key_id must be set if sse_config.type is set to 'SSE-KMS'",
                failure("type: S3\nconfig: {bucket: b, endpoint: e, sse_config: {type: SSE-KMS}}\n"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, sse_config: {type: SSE-C,"
                + " encryption_key: /k}}\n").contains("SSE-C is not supported"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: 'http://e:9000'}\n").contains("without scheme"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, part_size: 1024}\n").contains("5MiB"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, bucket_lookup_type: dns}\n")
                .contains("bucket_lookup_type"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, checksum_mode: always}\n")
                .contains("checksum_mode"));
        assertTrue(failure("type: S3\nconfig: {bucket: b, endpoint: e, insecure: yes-please}\n")
                .contains("\"config.insecure\" must be true or false"));
        String duration = failure("type: S3\nconfig: {bucket: b, endpoint: e, http_config: "
                + "{idle_conn_timeout: 5 minutes}}\n");
        assertTrue(duration.contains("config.http_config.idle_conn_timeout"), duration);
        assertEquals("missing directory for filesystem bucket", failure("type: FILESYSTEM\nconfig: {}\n"));
        assertTrue(failure("type: GCS\nconfig: {}\n").contains("GCS is not supported"));
        assertTrue(failure("config: {}\n").contains("missing \"type\""));
        assertTrue(failure("type: [S3\n").contains("not valid YAML"));
    }

    @Test
    void awsSdkAuthNeedsOnlyBucketAndEndpoint() {
        S3Config s = s3("type: S3\nconfig: {bucket: b, endpoint: s3.amazonaws.com, aws_sdk_auth: true}\n");
        assertTrue(s.awsSdkAuth());
        assertFalse(s.pathStyle(), "auto lookup on AWS is virtual-hosted");
        assertEquals("us-east-1", s.signingRegion());
    }

    @Test
    void toStringMasksSecrets() {
        ObjstoreConfig c = ObjstoreConfig.parse(SECRET + "  session_token: FwoGZXIvYXdzEXAMPLETOKEN\n");
        String text = c.toString();
        assertFalse(text.contains("AKIAEXAMPLEACCESS"), text);
        assertFalse(text.contains("wJalrXUtnFEMIexampleSECRET"), text);
        assertFalse(text.contains("FwoGZXIvYXdzEXAMPLETOKEN"), text);
        assertTrue(text.contains("accessKey=<masked>"), text);
        assertTrue(text.contains("bucket=thanos"), text);
        assertEquals(text, "ObjstoreConfig[type=S3, provider=" + c.provider() + ", prefix=]");
    }
}
