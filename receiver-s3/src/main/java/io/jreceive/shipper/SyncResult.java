package io.jreceive.shipper;

import java.io.IOException;

/**
 * What one {@link Shipper#sync()} did for one tenant.
 *
 * @param tenant   the tenant (its directory name)
 * @param uploaded blocks uploaded by this sync
 * @param waiting  local blocks that should be in the bucket and are not yet (the failed one and those after it)
 * @param error    why the sync stopped, or null when it completed
 */
public record SyncResult(String tenant, int uploaded, int waiting, IOException error) {
    /** True when the sync completed without error. */
    public boolean ok() {
        return error == null;
    }
}
