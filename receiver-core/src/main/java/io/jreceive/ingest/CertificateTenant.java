package io.jreceive.ingest;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;

/**
 * {@code --receive.tenant-certificate-field}, as Thanos' {@code getTenantFromCertificate}: the tenant is the first
 * {@code organization} (O), {@code organizationalUnit} (OU) or the {@code commonName} (CN) of the client
 * certificate's subject, in the certificate's own order; the tenant header is then ignored. A request without a
 * client certificate, or whose certificate lacks the field, fails with Thanos' message (answered 400).
 */
public final class CertificateTenant {
    public static final String ORGANIZATION = "organization";
    public static final String ORGANIZATIONAL_UNIT = "organizationalUnit";
    public static final String COMMON_NAME = "commonName";

    private CertificateTenant() {
    }

    /** Whether {@code field} is one of Thanos' three values. */
    public static boolean known(String field) {
        return field.equals(ORGANIZATION) || field.equals(ORGANIZATIONAL_UNIT) || field.equals(COMMON_NAME);
    }

    /** Why no tenant could be taken from the certificate, in Thanos' words. */
    static final class Missing extends Exception {
        private static final long serialVersionUID = 1L;

        Missing(String message) {
            super(message, null, false, false);
        }
    }

    /** The tenant named by {@code field} of the connection's client certificate. */
    static String of(ChannelHandlerContext ctx, String field) throws Missing {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Certificate[] chain;
        try {
            chain = ssl == null ? null : ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = null;
        }
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new Missing("could not get required certificate field from client cert");
        }
        return of(leaf, field);
    }

    /** The tenant named by {@code field} of {@code leaf}'s subject. */
    static String of(X509Certificate leaf, String field) throws Missing {
        String type = switch (field) {
            case ORGANIZATION -> "O";
            case ORGANIZATIONAL_UNIT -> "OU";
            case COMMON_NAME -> "CN";
            default -> throw new Missing("tls client cert field requested is not supported");
        };
        try {
            // LdapName lists the RDNs in the certificate's order (the reverse of the RFC 2253 string).
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type) && rdn.getValue() instanceof String v && !v.isEmpty()) {
                    return v;
                }
            }
        } catch (InvalidNameException e) {
            throw new Missing("could not parse the client cert's subject: " + e.getMessage());
        }
        throw new Missing("could not get " + field + " field from client cert");
    }
}
