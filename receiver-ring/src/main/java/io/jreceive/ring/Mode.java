package io.jreceive.ring;

/**
 * What a receiver does, as Thanos' {@code determineMode}: without a hashring it is an ingestor only (every write
 * stored here); with a hashring and {@code --receive.local-endpoint} it routes and ingests; with a hashring and no
 * local endpoint it only routes (no storage, an empty StoreAPI).
 */
public enum Mode {
    INGESTOR_ONLY, ROUTER_INGESTOR, ROUTER_ONLY;

    public static Mode determine(boolean hashringConfigured, String localEndpoint) {
        if (!hashringConfigured) {
            return INGESTOR_ONLY;
        }
        return localEndpoint == null || localEndpoint.isEmpty() ? ROUTER_ONLY : ROUTER_INGESTOR;
    }
}
