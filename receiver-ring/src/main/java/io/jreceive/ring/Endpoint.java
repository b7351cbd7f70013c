package io.jreceive.ring;

/**
 * One member of a hashring as the hashring file names it: its gRPC {@code address} (what series are routed to and
 * what {@code --receive.local-endpoint} is compared with), its Cap'n Proto address (Thanos defaults it to the host of
 * {@code address} with port 19391; jreceive only compares it with the local endpoint) and its availability zone
 * ({@code ""} = none). Equality is on all three, as Thanos compares endpoints when a ring changes.
 */
public record Endpoint(String address, String capnprotoAddress, String az) {
    /** Thanos' {@code DefaultCapNProtoPort}. */
    public static final String DEFAULT_CAPNPROTO_PORT = "19391";

    public Endpoint {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("endpoint address must be set");
        }
        if (capnprotoAddress == null || capnprotoAddress.isEmpty()) {
            capnprotoAddress = defaultCapnproto(address);
        }
        if (az == null) {
            az = "";
        }
    }

    /** An endpoint given as a plain string: no AZ, the default Cap'n Proto address. */
    public static Endpoint of(String address) {
        return new Endpoint(address, null, "");
    }

    /**
     * Thanos' default: the text before the first {@code ':'} of the address, then {@code :19391} (an IPv6 literal
     * gets Thanos' own odd result, {@code [:19391}; it only matters for the local-endpoint comparison).
     */
    static String defaultCapnproto(String address) {
        int colon = address.indexOf(':');
        return (colon < 0 ? address : address.substring(0, colon)) + ":" + DEFAULT_CAPNPROTO_PORT;
    }

    /** The form Thanos prints in forwarding errors: {@code {address capnproto az}}. */
    @Override
    public String toString() {
        return "{" + address + " " + capnprotoAddress + " " + az + "}";
    }
}
