package io.jreceive.ring;

import java.util.List;

/**
 * Where a series goes: a pure function of the series hash ({@link SeriesHash}) and the replica index, over a fixed
 * list of endpoints. Implementations hold no I/O, no clock and no configuration parsing; {@link Hashmod} and
 * {@link Ketama} are Thanos' two algorithms.
 */
public interface Placement {
    /**
     * The endpoint of replica {@code n} (0-based) of the series whose hash is {@code hash}.
     *
     * @throws InsufficientNodesException when {@code n} is not below the number of endpoints
     */
    Endpoint endpoint(long hash, int n);

    /** The endpoints, in the order the algorithm indexes them. */
    List<Endpoint> endpoints();
}
