package io.jreceive.config;

import java.util.List;

/**
 * Thanos' {@code --*-tls-min-version} values ("1.0" to "1.3") as the JSSE protocol names a server may accept: the
 * given version and every later one. Both TLS listeners (gRPC, remote write) read their flag through this.
 */
public final class TlsVersions {
    /** The JSSE protocol names from TLS 1.0 up. */
    private static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsVersions() {
    }

    /** The protocols from {@code minVersion} to TLS 1.3; an unknown version is refused naming {@code flag}. */
    public static String[] protocols(String flag, String minVersion) {
        int i = switch (minVersion) {
            case "1.0" -> 0;
            case "1.1" -> 1;
            case "1.2" -> 2;
            case "1.3" -> 3;
            default -> throw new IllegalArgumentException(flag + ": unknown TLS version \"" + minVersion
                    + "\"; allowed values: 1.0, 1.1, 1.2, 1.3");
        };
        return PROTOCOLS.subList(i, PROTOCOLS.size()).toArray(new String[0]);
    }
}
