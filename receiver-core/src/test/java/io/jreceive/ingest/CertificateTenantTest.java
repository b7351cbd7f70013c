package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenant of a client certificate, as Thanos' {@code getTenantFromCertificate}: the first organization or
 * organizational unit in the certificate's order, or the common name; a missing field fails with Thanos' message.
 */
class CertificateTenantTest {
    @TempDir
    Path dir;

    private X509Certificate cert(String subject) throws Exception {
        Path pem = dir.resolve("c.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.resolve("c.key").toString(), "-out",
                pem.toString(), "-days", "1", "-subj", subject).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void takesTheFirstValueOfTheFieldInTheCertificatesOrder() throws Exception {
        X509Certificate c = cert("/C=DE/O=first-org/O=second-org/OU=unit-a/OU=unit-b/CN=the-cn");
        assertEquals("first-org", CertificateTenant.of(c, CertificateTenant.ORGANIZATION));
        assertEquals("unit-a", CertificateTenant.of(c, CertificateTenant.ORGANIZATIONAL_UNIT));
        assertEquals("the-cn", CertificateTenant.of(c, CertificateTenant.COMMON_NAME));
    }

    @Test
    void aMissingFieldIsThanosError() throws Exception {
        X509Certificate c = cert("/CN=only-cn");
        assertEquals("could not get organization field from client cert", assertThrows(CertificateTenant.Missing.class,
                () -> CertificateTenant.of(c, CertificateTenant.ORGANIZATION)).getMessage());
        assertEquals("could not get organizationalUnit field from client cert", assertThrows(
                CertificateTenant.Missing.class,
                () -> CertificateTenant.of(c, CertificateTenant.ORGANIZATIONAL_UNIT)).getMessage());
    }
}
