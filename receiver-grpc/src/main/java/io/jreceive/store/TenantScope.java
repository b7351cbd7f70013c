package io.jreceive.store;

import java.util.ArrayList;
import java.util.List;

import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;

/**
 * Thanos' per-tenant treatment of matchers on external label names: such a matcher is decided by the tenant's
 * external label value alone. If it fails the tenant contributes nothing; if it holds it is removed, since the
 * external label is not in the tenant's TSDB.
 */
final class TenantScope {
    private TenantScope() {
    }

    /** The matchers left for the tenant's TSDB, or null when an external-label matcher excludes the tenant. */
    static List<Matcher> remaining(Labels external, List<Matcher> matchers) {
        List<Matcher> out = new ArrayList<>(matchers.size());
        for (Matcher m : matchers) {
            byte[] v = external.get(m.nameBytes());
            if (v == null) {
                out.add(m);
            } else if (!m.matches(v)) {
                return null;
            }
        }
        return out;
    }
}
