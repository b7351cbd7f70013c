package io.jreceive.head;

/**
 * Layout of a head snapshot file ({@code chunk_snapshot.<segment>.<offset>/snapshot}), written on shutdown instead of
 * flushing the head into blocks when {@code --tsdb.memory-snapshot-on-shutdown} is set (Prometheus' chunk snapshot
 * design: the series with their open chunks; closed chunks stay in the head chunk files, mapped back by series ref).
 *
 * <pre>
 *  file:
 *  0                   4         5                   8
 *  +-------------------+---------+-------------------+--------+--------+-----+--------+
 *  | magic 4A 53 4E 50 | version | padding 00 00 00  | record | record | ... | END    |
 *  +-------------------+---------+-------------------+--------+--------+-----+--------+
 *
 *  record:
 *  +----------------+------------+---------------------+------------------------------+
 *  | len uint32 BE  | type 1 B   | body (len - 1 B)    | CRC32C uint32 BE             |
 *  |  (type + body) |            |                     | over type and body           |
 *  +----------------+------------+---------------------+------------------------------+
 *
 *  SERIES body: id be64 | label pairs uvarint | (name, value as uvarint length + bytes)* |
 *               closed chunks uvarint | newest closed chunk's maxt be64 |
 *               open samples uvarint | (open chunk bytes: uvarint length + bytes, when open samples > 0)
 *  EXPIRY body: WAL ref be64 | kept until be64                 (Head's WAL expiries, see Head#keepInWalUntil)
 *  END body:    series count be64 | expiry count be64 | next series id be64 | min valid time be64
 * </pre>
 *
 * A snapshot is whole only with its END record and counts that match; anything else (a torn file, a bad CRC) makes
 * it unusable, and the head is rebuilt from the WAL instead.
 */
final class HeadSnapshotLayout {
    /** "JSNP". */
    static final int MAGIC = 0x4A534E50;
    static final byte VERSION = 1;
    static final int HEADER_SIZE = 8;
    static final int LEN_LENGTH = 4;
    static final int CRC_LENGTH = 4;

    static final byte SERIES = 1;
    static final byte EXPIRY = 2;
    static final byte END = 3;

    private HeadSnapshotLayout() {
    }
}
