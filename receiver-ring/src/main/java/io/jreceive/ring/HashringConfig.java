package io.jreceive.ring;

import java.util.List;
import java.util.Map;

/**
 * One element of the hashring file: an optional name (metrics and logs only), the tenants it serves (empty = every
 * tenant) and how they are matched ({@code exact}, also {@code ""}, or {@code glob}; any other value never matches,
 * as in Thanos), its endpoints, an optional {@code algorithm} overriding {@code --receive.hashrings-algorithm}
 * ({@code ""} = the flag's; an unknown name falls back to hashmod, as Thanos does) and external labels that
 * tenants listed here by exact name get on their blocks and StoreAPI (sorted by name).
 */
public record HashringConfig(String name, List<String> tenants, String tenantMatcherType, List<Endpoint> endpoints,
                             String algorithm, Map<String, String> externalLabels) {
    public static final String EXACT = "exact";
    public static final String GLOB = "glob";

    public HashringConfig {
        name = name == null ? "" : name;
        tenants = List.copyOf(tenants);
        tenantMatcherType = tenantMatcherType == null ? "" : tenantMatcherType;
        endpoints = List.copyOf(endpoints);
        algorithm = algorithm == null ? "" : algorithm;
        externalLabels = Map.copyOf(externalLabels);
    }

    /** Whether tenants of this hashring are matched exactly (the type {@code exact} or empty). */
    public boolean exact() {
        return tenantMatcherType.isEmpty() || tenantMatcherType.equals(EXACT);
    }
}
