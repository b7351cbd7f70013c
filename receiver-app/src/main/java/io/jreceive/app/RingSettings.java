package io.jreceive.app;

import java.nio.file.Path;

import io.jreceive.ring.Mode;
import io.jreceive.ring.replication.ForwardClientConfig;

/**
 * The hashring and replication flags: the ring file ({@code --receive.hashrings-file}, watched) or inline content
 * ({@code --receive.hashrings}, when no file is given), the global algorithm, the refresh interval, the local
 * endpoint, the replication factor, the replica header, how peers are reached, and the split-tenant label
 * ({@code --receive.split-tenant-label-name}, empty = off), which Thanos applies where it distributes series.
 */
record RingSettings(Path file, String content, String algorithm, long refreshMs, String localEndpoint,
                    int replicationFactor, String replicaHeader, ForwardClientConfig client, String splitTenantLabel) {
    Mode mode() {
        return Mode.determine(file != null || (content != null && !content.isBlank()), localEndpoint);
    }
}
