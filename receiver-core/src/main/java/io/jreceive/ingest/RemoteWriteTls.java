package io.jreceive.ingest;

import java.nio.file.Path;

import javax.net.ssl.SSLException;

import io.jreceive.config.TlsVersions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * TLS of the remote-write listener, as Thanos' {@code tls.NewServerConfig} sets it up from
 * {@code --remote-write.server-tls-cert}, {@code -key}, {@code -client-ca} and {@code -min-version}: the server's
 * PEM certificate and PKCS#8 key; with a client CA, every client must present a certificate it signed (Go's
 * {@code RequireAndVerifyClientCert}), else none is asked for; versions from {@code minVersion} up. The ops listener
 * stays plain HTTP, as in Thanos.
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
}
