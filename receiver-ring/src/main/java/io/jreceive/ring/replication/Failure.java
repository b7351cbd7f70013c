package io.jreceive.ring.replication;

/**
 * Why one replica write (local or forwarded) of a group of series failed, classified as Thanos classifies it:
 * a conflict (out of order, duplicate, out of bounds, too old, bad labels; gRPC AlreadyExists), a replica that was not
 * available (not ready, WAL overloaded, back-off, gRPC Unavailable) or anything else.
 */
record Failure(Kind kind, String message) {
    enum Kind {
        CONFLICT, UNAVAILABLE, INTERNAL
    }
}
