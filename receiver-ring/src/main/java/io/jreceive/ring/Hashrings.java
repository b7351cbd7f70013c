package io.jreceive.ring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A parsed hashring file turned into placements, as Thanos' {@code multiHashring}: one {@link Placement} per
 * hashring (its own {@code algorithm}, else the global one), tenants matched in file order (a hashring without
 * tenants matches every tenant; exact names first, then glob patterns), the first match cached per tenant for the
 * life of this object. Immutable apart from that cache; a ring change builds a new one.
 */
public final class Hashrings {
    public static final String HASHMOD = "hashmod";
    public static final String KETAMA = "ketama";
    static final String NO_MATCH = "no matching hashring to handle tenant";

    private final List<HashringConfig> configs;
    private final List<Placement> placements = new ArrayList<>();
    private final List<Endpoint> nodes = new ArrayList<>();
    private final Map<String, Placement> cache = new ConcurrentHashMap<>();

    /**
     * Builds the placements; throws {@link IllegalArgumentException} as Thanos refuses a ring (ketama with fewer
     * endpoints than the replication factor, hashmod with an AZ).
     */
    public Hashrings(List<HashringConfig> configs, String algorithm, int replicationFactor) {
        this.configs = List.copyOf(configs);
        for (HashringConfig c : configs) {
            String a = c.algorithm().isEmpty() ? algorithm : c.algorithm();
            Placement p = KETAMA.equals(a) ? new Ketama(c.endpoints(), replicationFactor, Ketama.SECTIONS_PER_NODE)
                    : new Hashmod(c.endpoints());
            placements.add(p);
            nodes.addAll(p.endpoints());
        }
        nodes.sort(Comparator.comparing(Endpoint::address, Hashmod::compareUtf8));
    }

    /** The placement serving {@code tenant}; throws {@link IllegalStateException} when no hashring matches. */
    public Placement placement(String tenant) {
        Placement p = cache.get(tenant);
        if (p != null) {
            return p;
        }
        for (int i = 0; i < configs.size(); i++) {
            if (matches(configs.get(i), tenant)) {
                p = placements.get(i);
                cache.put(tenant, p);
                return p;
            }
        }
        throw new IllegalStateException(NO_MATCH);
    }

    private static boolean matches(HashringConfig c, String tenant) {
        if (c.tenants().isEmpty()) {
            return true;
        }
        if (c.exact()) {
            return c.tenants().contains(tenant);
        }
        if (!HashringConfig.GLOB.equals(c.tenantMatcherType())) {
            return false;
        }
        for (String pattern : c.tenants()) {
            try {
                if (Glob.match(pattern, tenant)) {
                    return true;
                }
            } catch (Glob.BadPatternException e) {
                throw new IllegalStateException("error matching tenant pattern " + pattern + " (tenant " + tenant
                        + "): " + e.getMessage());
            }
        }
        return false;
    }

    /** Every endpoint of every hashring, sorted by address (duplicates kept), as Thanos' {@code Nodes()}. */
    public List<Endpoint> nodes() {
        return List.copyOf(nodes);
    }

    /** The distinct endpoints of all hashrings. */
    public Set<Endpoint> distinctNodes() {
        return new HashSet<>(nodes);
    }

    /**
     * The hashring labels of {@code tenant}: those of the first hashring whose tenant list holds exactly that string
     * (whatever its matcher type; default hashrings contribute none), empty otherwise.
     */
    public Map<String, String> externalLabels(String tenant) {
        for (HashringConfig c : configs) {
            if (c.tenants().contains(tenant)) {
                return c.externalLabels();
            }
        }
        return Map.of();
    }

    public List<HashringConfig> configs() {
        return configs;
    }
}
