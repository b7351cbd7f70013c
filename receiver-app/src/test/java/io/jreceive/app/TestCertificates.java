package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKI made with {@code openssl} in a test's directory (as {@code StoreTlsTest} makes its certificate):
 * a CA, a server certificate for 127.0.0.1 and a client certificate with a given subject, all EC P-256, valid one
 * day; no key is committed.
 */
final class TestCertificates {
    private static final String PASSWORD = "test";
    final Path ca;
    final Path caKey;
    final Path serverCert;
    final Path serverKey;
    private final Path dir;

    TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        ca = dir.resolve("ca.pem");
        caKey = dir.resolve("ca.key");
        serverCert = dir.resolve("server.pem");
        serverKey = dir.resolve("server.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "1", "-subj", "/CN=jreceive test CA");
        issueServer("/CN=127.0.0.1", serverKey, serverCert);
    }

    private void issueServer(String subject, Path key, Path cert) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", subject,
                "-CA", ca.toString(), "-CAkey", caKey.toString(), "-addext", "subjectAltName=IP:127.0.0.1");
    }

    /**
     * Replaces the server's key and certificate with a new pair of {@code subject}, each file moved into place
     * whole (as a Kubernetes Secret's update is), the key first.
     */
    void rotateServer(String subject) throws Exception {
        Path key = dir.resolve("rotated.key");
        Path cert = dir.resolve("rotated.pem");
        issueServer(subject, key, cert);
        Files.move(key, serverKey, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(cert, serverCert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The subject of the certificate a TLS server at 127.0.0.1:{@code port} presents to a new connection. */
    String serverSubject(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** A client certificate signed by the CA with {@code subject} (e.g. {@code /O=team/CN=x}), as a PKCS#12 file. */
    Path client(String name, String subject) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Path p12 = dir.resolve(name + ".p12");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", subject,
                "-CA", ca.toString(), "-CAkey", caKey.toString(), "-addext", "extendedKeyUsage=clientAuth");
        openssl("pkcs12", "-export", "-in", cert.toString(), "-inkey", key.toString(), "-out", p12.toString(),
                "-passout", "pass:" + PASSWORD);
        return p12;
    }

    /** A client context trusting the CA and presenting {@code clientP12} (null: no client certificate). */
    SSLContext context(Path clientP12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientP12)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
