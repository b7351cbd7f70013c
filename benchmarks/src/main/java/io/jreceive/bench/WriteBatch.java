package io.jreceive.bench;

/**
 * One remote-write request of a load run: the samples at positions {@code [from, to)} of one shard-and-tenant
 * group's sample stream, plus its encoded body. The stream is round-major, as a Prometheus queue shard sees
 * scrapes arrive: position {@code k} is series {@code group[k % group.length]} at round {@code k / group.length}, so
 * all series of a group have round {@code r} before any has round {@code r + 1}.
 *
 * @param shard  the sender shard (connection) that sends this request
 * @param tenant the tenant name for the {@code THANOS-TENANT} header, or null to send none
 * @param group  the series indices of the group, in stream order; shared by the group's batches
 * @param from   first stream position, inclusive
 * @param to     last stream position, exclusive
 * @param body   the snappy-compressed protobuf body
 */
public record WriteBatch(int shard, String tenant, int[] group, int from, int to, byte[] body) {

    /** Samples in this request. */
    public int samples() {
        return to - from;
    }

    /** The series at stream position {@code k}. */
    public int seriesAt(int k) {
        return group[k % group.length];
    }

    /** The round at stream position {@code k}. */
    public int roundAt(int k) {
        return k / group.length;
    }

    /** The same request with an encoded body. */
    public WriteBatch withBody(byte[] encoded) {
        return new WriteBatch(shard, tenant, group, from, to, encoded);
    }
}
