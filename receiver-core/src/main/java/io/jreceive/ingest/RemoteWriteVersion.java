package io.jreceive.ingest;

import java.util.Locale;

/**
 * Remote-write protocol chosen from {@code Content-Type}, as the 2.0 spec says: {@code application/x-protobuf}
 * (or {@code ;proto=prometheus.WriteRequest}, or no Content-Type at all) is 1.0,
 * {@code ;proto=io.prometheus.write.v2.Request} is 2.0, anything else is unsupported (415).
 */
public enum RemoteWriteVersion {
    V1,
    V2;

    static final String MEDIA_TYPE = "application/x-protobuf";
    static final String PROTO_V1 = "prometheus.WriteRequest";
    static final String PROTO_V2 = "io.prometheus.write.v2.Request";

    /** Parses a Content-Type header value (null = absent); throws {@link UnsupportedMediaType}. */
    static RemoteWriteVersion fromContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return V1;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(MEDIA_TYPE)) {
            throw new UnsupportedMediaType("unsupported content type " + quote(contentType) + ", expected "
                    + MEDIA_TYPE);
        }
        RemoteWriteVersion v = V1;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase("proto")) {
                continue;
            }
            String proto = p.substring(eq + 1).trim();
            if (proto.length() >= 2 && proto.startsWith("\"") && proto.endsWith("\"")) {
                proto = proto.substring(1, proto.length() - 1);
            }
            if (proto.equals(PROTO_V1)) {
                v = V1;
            } else if (proto.equals(PROTO_V2)) {
                v = V2;
            } else {
                throw new UnsupportedMediaType("unsupported remote write protobuf message " + quote(proto)
                        + ", expected " + PROTO_V1 + " or " + PROTO_V2);
            }
        }
        return v;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /** A Content-Type or Content-Encoding the receiver does not speak: answered 415. */
    static final class UnsupportedMediaType extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedMediaType(String message) {
            super(message, null, false, false);
        }
    }
}
