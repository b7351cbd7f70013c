package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 client is built with the configured {@code checksum_mode}: observed on the wire against a loopback HTTP
 * server that records request headers, since AWS SDK 2.30+ adds flexible-checksum headers only when asked to.
 */
class S3ChecksumModeTest {
    private static final byte[] BODY = "hello checksum".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private HttpServer server;
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            headers.put(":method", ex.getRequestMethod());
            requests.add(headers);
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("ETag", "\"0123456789abcdef\"");
            if (ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, BODY.length);
                ex.getResponseBody().write(BODY);
            } else {
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Map<String, String> putAndGet(String mode) throws IOException {
        String yaml = "type: S3\nconfig:\n  bucket: b\n  endpoint: 127.0.0.1:" + server.getAddress().getPort()
                + "\n  access_key: a\n  secret_key: s\n  insecure: true\n  max_retries: 1\n"
                + (mode == null ? "" : "  checksum_mode: " + mode + "\n");
        Path f = Files.write(tmp.resolve("f"), BODY);
        requests.clear();
        try (Bucket bucket = Buckets.create(ObjstoreConfig.parse(yaml))) {
            bucket.upload("k", f);
            assertArrayEquals(BODY, bucket.bytes("k"));
        }
        assertEquals(2, requests.size(), requests.toString());
        Map<String, String> put = requests.get(0);
        assertEquals("PUT", put.get(":method"));
        assertEquals("GET", requests.get(1).get(":method"));
        Map<String, String> both = new TreeMap<>(put);
        requests.get(1).forEach((k, v) -> both.put("get " + k, v));
        return both;
    }

    private static Set<String> checksumHeaders(Map<String, String> headers) {
        return headers.keySet().stream()
                .filter(k -> k.contains("x-amz-checksum") || k.contains("x-amz-sdk-checksum")
                        || k.contains("x-amz-trailer"))
                .collect(Collectors.toSet());
    }

    @Test
    void whenRequiredByDefaultSendsNoFlexibleChecksums() throws IOException {
        Map<String, String> h = putAndGet(null);
        assertEquals(Set.of(), checksumHeaders(h), h.toString());
        assertTrue(h.containsKey("content-md5"), "send_content_md5 defaults to true: " + h);
    }

    @Test
    void whenSupportedAddsThem() throws IOException {
        Map<String, String> h = putAndGet("when_supported");
        Set<String> found = checksumHeaders(h);
        assertFalse(found.isEmpty(), h.toString());
        assertTrue(found.stream().anyMatch(k -> !k.startsWith("get ")), "upload checksum: " + found);
        assertTrue(found.stream().anyMatch(k -> k.startsWith("get ")), "download validation: " + h);
    }
}
