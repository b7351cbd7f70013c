package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** {@code --grpc-server-tls-min-version}: a client offering only an older TLS version fails the handshake. */
class StoreTlsTest {
    @TempDir
    Path dir;

    private static final TrustManager[] TRUST_ALL = {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }};

    /** Completes a handshake offering only {@code protocol}; returns the protocol agreed. */
    private static String handshake(int port, String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, TRUST_ALL, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {protocol});
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }

    private void selfSigned(Path cert, Path key) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void minimumVersionIsEnforced() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);
        MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir.resolve("data"), StoreFixture.H2, 0, false, 0,
                Map.of("replica", "r1"), "tenant_id"), new SimpleMeterRegistry());
        tsdb.open();
        StoreServer strict = new StoreServer(new StoreConfig("127.0.0.1", 0, cert, key, null, 1000, 0, 0, "1.3"),
                tsdb).start();
        StoreServer lenient = new StoreServer(new StoreConfig("127.0.0.1", 0, cert, key, null, 1000, 0, 0, "1.2"),
                tsdb).start();
        try {
            assertEquals("TLSv1.3", handshake(strict.port(), "TLSv1.3"));
            assertThrows(SSLException.class, () -> handshake(strict.port(), "TLSv1.2"), "1.2 under a 1.3 minimum");
            assertEquals("TLSv1.2", handshake(lenient.port(), "TLSv1.2"));
        } finally {
            strict.close();
            lenient.close();
            tsdb.close();
        }
        assertThrows(IllegalArgumentException.class,
                () -> new StoreConfig("127.0.0.1", 0, null, null, null, 1000, 0, 0, "1.4"));
    }
}
