package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * TLS on the remote-write listener, from the packaged jar: with a client CA, HTTPS without a client certificate is
 * refused (the handshake fails, nothing stored) and accepted with one, the tenant taken from the certificate's
 * organization whatever the tenant header says; plain HTTP on that port gets no answer; the ops port stays plain
 * HTTP; a client offering only TLS 1.2 is refused under the default minimum version 1.3. Without a client CA, HTTPS
 * needs no client certificate, and {@code --remote-write.server-tls-min-version=1.2} lets that TLS 1.2 client in.
 * Against Thanos Receive v0.38.0 with the same flags: the same client certificate names the same tenant, and a
 * certificate without the field gets the same 400 answer.
 */
class RemoteWriteTlsIT {
    private static final String NO_WARMUP = "--remote-write.warmup-series=0";
    @TempDir
    Path tmp;

    private static byte[] body(String job) {
        return new RemoteWriteRequests().series(Labels.of("__name__", "up", "job", job), System.currentTimeMillis(), 1)
                .v1();
    }

    private static HttpResponse<String> post(SSLContext ssl, SSLParameters params, URI url, byte[] body,
                                             String tenant) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        if (params != null) {
            b.sslParameters(params);
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (tenant != null) {
            r.header("THANOS-TENANT", tenant);
        }
        return b.build().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client that offers only TLS 1.2. */
    private static SSLParameters tls12() {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.2"});
        return p;
    }

    private static URI https(JreceiveProcess rx) {
        return URI.create("https://127.0.0.1:" + rx.remoteWritePort + "/api/v1/receive");
    }

    @Test
    void aClientCaRequiresClientCertificatesAndTheTenantComesFromOne() throws Exception {
        TestCertificates pki = new TestCertificates(tmp);
        Path client = pki.client("client", "/O=org-tenant/OU=unit-tenant/CN=cn-tenant");
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx = JreceiveProcess.start(data, NO_WARMUP,
                "--remote-write.server-tls-cert=" + pki.serverCert, "--remote-write.server-tls-key=" + pki.serverKey,
                "--remote-write.server-tls-client-ca=" + pki.ca, "--receive.tenant-certificate-field=organization")) {
            assertThrows(IOException.class, () -> post(pki.context(null), null, https(rx), body("none"), null),
                    "HTTPS without a client certificate");
            assertThrows(IOException.class, () -> post(null, null, rx.remoteWrite(), body("plain"), null),
                    "plain HTTP on the TLS port");

            assertThrows(IOException.class, () -> post(pki.context(client), tls12(), https(rx), body("old"), null),
                    "TLS 1.2 under --remote-write.server-tls-min-version=1.3 (the default)");
            HttpResponse<String> ok = post(pki.context(client), null, https(rx), body("cert"), "header-tenant");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(Files.isDirectory(data.resolve("org-tenant")), "the tenant of the certificate's O");
            assertFalse(Files.exists(data.resolve("header-tenant")), "the header is ignored");
            assertFalse(Files.exists(data.resolve("default-tenant")), "nothing stored without a certificate");
            String metrics = rx.metrics();
            assertTrue(metrics.contains("prometheus_tsdb_head_series{tenant=\"org-tenant\"} 1"), metrics);
            assertEquals(0, rx.stop());
        }
    }

    @Test
    void withoutAClientCaNoClientCertificateIsNeededAndAnOlderMinimumVersionIsHonoured() throws Exception {
        TestCertificates pki = new TestCertificates(tmp);
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("data"), NO_WARMUP,
                "--remote-write.server-tls-cert=" + pki.serverCert,
                "--remote-write.server-tls-key=" + pki.serverKey, "--remote-write.server-tls-min-version=1.2")) {
            HttpResponse<String> ok = post(pki.context(null), null, https(rx), body("anon"), "team");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(rx.metrics().contains("prometheus_tsdb_head_series{tenant=\"team\"} 1"), "the header's tenant");
            HttpResponse<String> old = post(pki.context(null), tls12(), https(rx), body("old"), "team");
            assertEquals(200, old.statusCode(), "TLS 1.2 accepted with --remote-write.server-tls-min-version=1.2");

            // A rotated certificate (cert-manager renewing the Secret) is served to new connections, no restart.
            assertEquals("CN=127.0.0.1", pki.serverSubject(rx.remoteWritePort));
            pki.rotateServer("/O=rotated/CN=127.0.0.1");
            assertEquals("CN=127.0.0.1,O=rotated", pki.serverSubject(rx.remoteWritePort));
            HttpResponse<String> rotated = post(pki.context(null), null, https(rx), body("rotated"), "team");
            assertEquals(200, rotated.statusCode(), rotated.body());
        }
    }

    /** POSTs, retrying Thanos Receive v0.38's 500 for a tenant whose TSDB it is still opening. */
    private static HttpResponse<String> postRetrying(SSLContext ssl, URI url, byte[] body) throws Exception {
        HttpResponse<String> r = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            r = post(ssl, null, url, body, null);
            if (r.statusCode() / 100 != 5) {
                return r;
            }
            Thread.sleep(250);
        }
        return r;
    }

    @Test
    void theCertificateNamesTheSameTenantAsInThanosReceive() throws Exception {
        ThanosProcess.require();
        TestCertificates pki = new TestCertificates(tmp);
        Path client = pki.client("client", "/O=org-tenant/OU=unit-tenant/CN=cn-tenant");
        Path cnOnly = pki.client("cn-only", "/CN=cn-tenant");
        String[] tls = {"--remote-write.server-tls-cert=" + pki.serverCert,
                "--remote-write.server-tls-key=" + pki.serverKey, "--remote-write.server-tls-client-ca=" + pki.ca,
                "--receive.tenant-certificate-field=organizationalUnit"};
        int thanosWrite = PrometheusProcess.freePort();
        String[] thanosArgs = new String[tls.length + 1];
        System.arraycopy(tls, 0, thanosArgs, 0, tls.length);
        thanosArgs[tls.length] = "--label=receive_replica=\"thanos\"";
        String[] ours = new String[tls.length + 1];
        System.arraycopy(tls, 0, ours, 0, tls.length);
        ours[tls.length] = NO_WARMUP;
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx = JreceiveProcess.start(data, ours);
                ThanosProcess thanos = ThanosProcess.receive(tmp.resolve("thanos"), thanosWrite, thanosArgs)) {
            URI thanosUrl = URI.create("https://127.0.0.1:" + thanosWrite + "/api/v1/receive");
            assertEquals(200, postRetrying(pki.context(client), thanosUrl, body("t")).statusCode());
            assertEquals(200, postRetrying(pki.context(client), https(rx), body("t")).statusCode());
            assertTrue(Files.isDirectory(tmp.resolve("thanos").resolve("receive").resolve("unit-tenant")),
                    "Thanos Receive's tenant: the certificate's OU");
            assertTrue(Files.isDirectory(data.resolve("unit-tenant")), "jreceive's tenant: the same");

            HttpResponse<String> theirs = post(pki.context(cnOnly), null, thanosUrl, body("t"), null);
            HttpResponse<String> mine = post(pki.context(cnOnly), null, https(rx), body("t"), null);
            assertEquals(400, theirs.statusCode(), theirs.body());
            assertEquals(theirs.statusCode(), mine.statusCode());
            assertEquals(theirs.body(), mine.body(), "Thanos' words: a certificate without the field");
        }
    }
}
