package io.jreceive.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.jreceive.chunk.FloatHistogramChunk;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.chunk.XorChunk;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.AggrChunk;
import io.jreceive.proto.thanos.Chunk;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.Series;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.ShardInfo;
import io.jreceive.chunk.SeriesChunks;
import net.openhft.hashing.LongHashFunction;

/**
 * Cuts a sorted series stream into {@code SeriesResponse} frames, one at a time, so the sender writes only as fast
 * as the client reads. A frame holds one series; a series whose chunks exceed {@link #FRAME_BYTES} (less its label
 * bytes) continues in the following frames, each repeating the labels, before the next series starts. Warnings
 * queued by failing tenants go out as {@code warning} frames. Sharding, the request's {@code limit} and the
 * server's series and sample limits are applied here, on the final labels.
 */
final class SeriesFrames {
    /** Chunk bytes per frame: Thanos' {@code RemoteReadFrameLimit}, 1 MiB, less the series' label bytes. */
    static final int FRAME_BYTES = 1 << 20;

    private static final LongHashFunction XX = LongHashFunction.xx();
    private static final byte SEP = (byte) 0xFF;

    private final Supplier<Iterator<SeriesChunks>> open;
    private final ArrayDeque<String> warnings;
    private final boolean skipChunks;
    private final long limit;
    private final long maxSeries;
    private final long maxSamples;
    private final ShardInfo shard;
    private final Set<String> shardLabels;

    private Iterator<SeriesChunks> series;
    private SeriesChunks current;
    private List<Label> currentLabels;
    private int currentLabelBytes;
    private int nextChunk;
    private long seriesSent;
    private long samplesSent;

    /**
     * @param open       opens the sorted series stream (called on the first frame, so its errors surface there)
     * @param warnings   warnings added by tenants as they fail; drained into warning frames
     * @param maxSeries  series limit, 0 = none
     * @param maxSamples sample limit, 0 = none
     */
    SeriesFrames(Supplier<Iterator<SeriesChunks>> open, ArrayDeque<String> warnings, boolean skipChunks,
                 long limit, ShardInfo shard, long maxSeries, long maxSamples) {
        this.open = open;
        this.warnings = warnings;
        this.skipChunks = skipChunks;
        this.limit = limit;
        this.shard = shard != null && shard.getTotalShards() >= 1 ? shard : null;
        this.shardLabels = shard == null ? Set.of() : Set.copyOf(shard.getLabelsList());
        this.maxSeries = maxSeries;
        this.maxSamples = maxSamples;
    }

    /** The next frame, or null when the answer is complete. */
    SeriesResponse next() {
        if (series == null) {
            series = open.get();
        }
        if (current == null) {
            advance();
        }
        if (!warnings.isEmpty()) {
            return SeriesResponse.newBuilder().setWarning(warnings.poll()).build();
        }
        if (current == null) {
            return null;
        }
        Series.Builder b = Series.newBuilder().addAllLabels(currentLabels);
        if (!skipChunks) {
            int budget = FRAME_BYTES - currentLabelBytes;
            int used = 0;
            while (nextChunk < current.numChunks()) {
                byte[] d = current.data(nextChunk);
                if (used > 0 && used + d.length > budget) {
                    break;
                }
                used += d.length;
                b.addChunks(AggrChunk.newBuilder().setMinTime(current.minTime(nextChunk))
                        .setMaxTime(current.maxTime(nextChunk))
                        .setRaw(Chunk.newBuilder().setType(type(current.encoding(nextChunk)))
                                .setData(ByteString.copyFrom(d))
                                .setHash(XX.hashBytes(d))));
                nextChunk++;
            }
        }
        if (skipChunks || nextChunk >= current.numChunks()) {
            current = null;
        }
        return SeriesResponse.newBuilder().setSeries(b).build();
    }

    /** The StoreAPI chunk type of a Prometheus chunk encoding byte. */
    static Chunk.Encoding type(byte encoding) {
        return switch (encoding) {
            case HistogramChunk.ENCODING -> Chunk.Encoding.HISTOGRAM;
            case FloatHistogramChunk.ENCODING -> Chunk.Encoding.FLOAT_HISTOGRAM;
            default -> Chunk.Encoding.XOR;
        };
    }

    /** Moves to the next series to send, if any, checking the limits. */
    private void advance() {
        while (series.hasNext()) {
            if (limit > 0 && seriesSent >= limit) {
                return;
            }
            SeriesChunks s = series.next();
            if (shard != null && !inShard(s.labels())) {
                continue;
            }
            seriesSent++;
            if (maxSeries > 0 && seriesSent > maxSeries) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("exceeded series limit: limit " + maxSeries
                        + " violated (got " + seriesSent + "), see --store.limits.request-series")
                        .asRuntimeException();
            }
            if (!skipChunks) {
                for (int i = 0; i < s.numChunks(); i++) {
                    samplesSent += XorChunk.numSamples(s.data(i));
                }
                if (maxSamples > 0 && samplesSent > maxSamples) {
                    throw Status.RESOURCE_EXHAUSTED.withDescription("exceeded samples limit: limit " + maxSamples
                            + " violated (got at least " + samplesSent + "), see --store.limits.request-samples")
                            .asRuntimeException();
                }
            }
            current = s;
            nextChunk = 0;
            currentLabels = new ArrayList<>(s.labels().size());
            int bytes = 0;
            for (int i = 0; i < s.labels().size(); i++) {
                currentLabels.add(Label.newBuilder().setName(s.labels().nameString(i))
                        .setValue(s.labels().valueString(i)).build());
                bytes += s.labels().name(i).length + s.labels().value(i).length;
            }
            currentLabelBytes = bytes;
            return;
        }
    }

    /** Thanos' shard matcher: xxhash64 over {@code name 0xFF value 0xFF} of the chosen labels, modulo the shards. */
    private boolean inShard(Labels l) {
        int len = 0;
        for (int i = 0; i < l.size(); i++) {
            if (shardLabels.contains(l.nameString(i)) == shard.getBy()) {
                len += l.name(i).length + l.value(i).length + 2;
            }
        }
        byte[] buf = new byte[len];
        int p = 0;
        for (int i = 0; i < l.size(); i++) {
            if (shardLabels.contains(l.nameString(i)) == shard.getBy()) {
                byte[] n = l.name(i);
                byte[] v = l.value(i);
                System.arraycopy(n, 0, buf, p, n.length);
                p += n.length;
                buf[p++] = SEP;
                System.arraycopy(v, 0, buf, p, v.length);
                p += v.length;
                buf[p++] = SEP;
            }
        }
        return Long.remainderUnsigned(XX.hashBytes(buf), shard.getTotalShards()) == shard.getShardIndex();
    }
}
