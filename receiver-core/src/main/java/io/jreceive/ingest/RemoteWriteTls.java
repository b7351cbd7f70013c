package io.jreceive.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import javax.net.ssl.SSLException;

import io.jreceive.config.TlsVersions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the remote-write listener, as Thanos' {@code tls.NewServerConfig} sets it up from
 * {@code --remote-write.server-tls-cert}, {@code -key}, {@code -client-ca} and {@code -min-version}: the server's
 * PEM certificate and PKCS#8 key; with a client CA, every client must present a certificate it signed (Go's
 * {@code RequireAndVerifyClientCert}), else none is asked for; versions from {@code minVersion} up. The ops listener
 * stays plain HTTP, as in Thanos. Like Thanos' {@code serverTLSManager}, the certificate and key are read again
 * when either file's modification time changes ({@link Reloading}), so a rotated certificate (cert-manager, a
 * renewed Secret) is served to new connections without a restart.
 *
 * @param cert       PEM certificate (chain) of the server
 * @param key        its PEM private key (PKCS#8)
 * @param clientCa   PEM CA the clients' certificates must chain to; null = no client certificates
 * @param minVersion oldest TLS version accepted, {@code 1.0} to {@code 1.3}
 */
public record RemoteWriteTls(Path cert, Path key, Path clientCa, String minVersion) {
    static final String MIN_VERSION_FLAG = "--remote-write.server-tls-min-version";

    public RemoteWriteTls {
        TlsVersions.protocols(MIN_VERSION_FLAG, minVersion);
    }

    /** The Netty server context; a certificate or key that cannot be read fails here, at start. */
    public SslContext context() throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .protocols(TlsVersions.protocols(MIN_VERSION_FLAG, minVersion));
        if (clientCa != null) {
            b.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        return b.build();
    }

    /**
     * The server context of the current certificate files: each new connection asks {@link #current()}, which
     * compares the two files' modification times (two {@code stat}s, next to a TLS handshake) and rebuilds the
     * context when one changed. A rebuild that fails (a half-written file) keeps the previous context and is logged.
     */
    public static final class Reloading {
        private static final Logger LOG = LoggerFactory.getLogger(Reloading.class);
        private final RemoteWriteTls tls;
        private SslContext context;
        private FileTime certTime;
        private FileTime keyTime;

        /** Reads the files now: a certificate or key that cannot be read fails here, at start. */
        public Reloading(RemoteWriteTls tls) throws SSLException {
            this.tls = tls;
            certTime = modified(tls.cert());
            keyTime = modified(tls.key());
            context = tls.context();
        }

        /** The context for a new connection. */
        public synchronized SslContext current() {
            FileTime c = modified(tls.cert());
            FileTime k = modified(tls.key());
            if (c != null && k != null && (!c.equals(certTime) || !k.equals(keyTime))) {
                try {
                    context = tls.context();
                    LOG.info("remote-write TLS certificate reloaded from {}", tls.cert());
                } catch (SSLException | RuntimeException e) {
                    LOG.warn("remote-write TLS certificate {} changed but cannot be loaded, keeping the previous "
                            + "one: {}", tls.cert(), e.getMessage());
                }
                certTime = c;
                keyTime = k;
            }
            return context;
        }

        private static FileTime modified(Path p) {
            try {
                return Files.getLastModifiedTime(p);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
