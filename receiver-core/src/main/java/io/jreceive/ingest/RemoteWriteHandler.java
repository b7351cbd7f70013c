package io.jreceive.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

import io.jreceive.head.AppendStats;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Answers {@code POST /api/v1/receive}: picks the protocol from Content-Type, the tenant from its header, snappy-
 * decodes the body within the size limits, decodes it into a {@link WriteBatch}, appends it and writes the answer
 * once the WAL has the accepted samples. Statuses and bodies are Thanos': 200 with an empty body, 400 undecodable,
 * 405 wrong method, 409 conflicts (valid samples still written; the body counts each reason), 413 over a limit (also:
 * records too large for the WAL, nothing stored), 415 unsupported type or encoding, 500 storage failure (nothing of
 * the request stays in memory), 503 not ready (also: the WAL's queue is full, or the tenant is
 * being pruned; nothing was appended and the sender retries). Every 2.0 answer carries the
 * {@code X-Prometheus-Remote-Write-*-Written} headers. Error bodies are one line of text, as Go's
 * {@code http.Error} writes them. Stateless and shared by all channels; scratch buffers are per event-loop thread.
 */
@ChannelHandler.Sharable
public final class RemoteWriteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteHandler.class);

    static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
    static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
    static final String EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";
    private static final String FALLBACK_TENANT_HEADER = RemoteWriteConfig.DEFAULT_TENANT_HEADER;

    private final RemoteWriteConfig config;
    private final TenantWriter writer;
    private final IngestMetrics metrics;

    /**
     * Per event-loop thread: decoders, the batch and the decode buffer, all reused. What one large request grew past
     * the retained sizes is released after it ({@link #trim()}), so a few large or hostile bodies do not pin hundreds
     * of MiB on every event loop for good.
     */
    static final class Scratch {
        /** Bytes of the compressed and decoded buffers kept between requests. */
        static final int RETAINED_BYTES = 4 * 1024 * 1024;

        final RemoteWriteDecoder v1 = new RemoteWriteDecoder();
        final RemoteWrite2Decoder v2 = new RemoteWrite2Decoder();
        final WriteBatch batch = new WriteBatch();
        final Head.AppendContext append = new Head.AppendContext();
        byte[] compressed = new byte[64 * 1024];
        byte[] decoded = new byte[256 * 1024];

        void trim() {
            batch.trim();
            v2.trim();
            append.trim();
            if (compressed.length > RETAINED_BYTES) {
                compressed = new byte[64 * 1024];
            }
            if (decoded.length > RETAINED_BYTES) {
                decoded = new byte[256 * 1024];
            }
        }
    }

    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    public RemoteWriteHandler(RemoteWriteConfig config, TenantWriter writer, io.micrometer.core.instrument.MeterRegistry registry) {
        super(true);
        this.config = config;
        this.writer = writer;
        this.metrics = new IngestMetrics(registry);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        final long start = System.nanoTime();
        final boolean keepAlive = HttpUtil.isKeepAlive(req);
        String path = new QueryStringDecoder(req.uri()).path();
        if (!path.equals(RemoteWriteConfig.PATH)) {
            reply(ctx, keepAlive, start, error(HttpResponseStatus.NOT_FOUND, "404 page not found"));
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed, use POST");
            r.headers().set(HttpHeaderNames.ALLOW, "POST");
            reply(ctx, keepAlive, start, r);
            return;
        }
        if (!writer.ready()) {
            reply(ctx, keepAlive, start, plain(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable"));
            return;
        }
        final RemoteWriteVersion version;
        try {
            version = RemoteWriteVersion.fromContentType(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
            String enc = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
            if (enc != null && !enc.isBlank() && !enc.trim().equalsIgnoreCase("snappy")) {
                throw new RemoteWriteVersion.UnsupportedMediaType("unsupported content encoding \"" + enc
                        + "\", expected snappy");
            }
        } catch (RemoteWriteVersion.UnsupportedMediaType e) {
            metrics.decodeError("unsupported_media_type");
            reply(ctx, keepAlive, start, error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
            return;
        }
        final boolean v2 = version == RemoteWriteVersion.V2;
        final String tenant = tenant(req);
        if (!Tenants.valid(tenant)) {
            metrics.decodeError("bad_tenant");
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST, "Tenant name not valid"),
                    v2, 0));
            return;
        }

        final Scratch sc = SCRATCH.get();
        try {
            decodeAndWrite(ctx, req.content(), keepAlive, start, v2, tenant, sc);
        } finally {
            sc.trim();
        }
    }

    /** Decodes the body into the thread's scratch space, appends it and answers (once durable). */
    private void decodeAndWrite(ChannelHandlerContext ctx, ByteBuf body, boolean keepAlive, long start, boolean v2,
                                String tenant, Scratch sc) {
        final WriteBatch batch = sc.batch;
        try {
            int len = decompress(body, sc);
            if (v2) {
                sc.v2.decode(sc.decoded, len, batch, config.limits());
            } else {
                sc.v1.decode(sc.decoded, len, batch, config.limits());
            }
        } catch (TooLarge e) {
            metrics.decodeError("too_large");
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    e.getMessage()), v2, 0));
            return;
        } catch (DecodeException e) {
            metrics.decodeError(e.reason());
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()), v2, 0));
            return;
        }
        RemoteWriteLimits limits = config.limits();
        if (limits.maxSeries() > 0 && batch.seriesCount() > limits.maxSeries()) {
            metrics.decodeError("too_many_series");
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "too many timeseries"), v2, 0));
            return;
        }
        if (limits.maxSamples() > 0 && batch.sampleTotal() > limits.maxSamples()) {
            metrics.decodeError("too_many_samples");
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "too many samples"), v2, 0));
            return;
        }
        metrics.samplesReceived.increment(batch.sampleTotal());
        if (batch.histogramTotal() > 0) {
            metrics.histogramsDropped.increment(batch.histogramTotal());
        }
        if (batch.exemplarTotal() > 0) {
            metrics.exemplarsDropped.increment(batch.exemplarTotal());
        }

        java.util.concurrent.CompletableFuture<Void> durable;
        try {
            durable = writer.write(tenant, batch, sc.append);
        } catch (RuntimeException e) {
            LOG.error("append for tenant {} failed", tenant, e);
            reply(ctx, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "append: " + e.getMessage()), v2, 0));
            return;
        }
        // The scratch space is reused by the next request on this thread: take the outcome now.
        final AppendStats st = sc.append.stats;
        if (batch.seriesWithoutName() > 0) {
            metrics.seriesWithoutName.increment(batch.seriesWithoutName());
        }
        final long writtenSamples = (long) st.appended + st.duplicatesIgnored;
        final FullHttpResponse answer;
        if (st.hasConflicts()) {
            metrics.conflictSamples.increment(st.outOfBounds + st.outOfOrder + st.duplicates);
            int badSeries = 0;
            for (int e : st.seriesErrors) {
                badSeries += e;
            }
            metrics.conflictSeries.increment(badSeries);
            answer = written(error(HttpResponseStatus.CONFLICT, st.conflictMessage()), v2, writtenSamples);
        } else {
            answer = written(empty(), v2, writtenSamples);
        }
        durable.whenCompleteAsync((ok, err) -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (cause instanceof io.jreceive.wal.WalOverloadedException
                    || cause instanceof TenantUnavailableException) {
                answer.release();
                reply(ctx, keepAlive, start, written(error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        cause.getMessage()), v2, 0));
            } else if (cause instanceof io.jreceive.head.AppendTooLargeException) {
                answer.release();
                metrics.decodeError("too_large");
                reply(ctx, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        cause.getMessage()), v2, 0));
            } else if (err != null) {
                answer.release();
                LOG.error("WAL write for tenant {} failed", tenant, err);
                reply(ctx, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "write to WAL: " + cause.getMessage()), v2, 0));
            } else {
                reply(ctx, keepAlive, start, answer);
            }
        }, ctx.executor());
    }

    /** Thanos' order: the configured header, then {@code THANOS-TENANT}, then the default tenant. */
    private String tenant(FullHttpRequest req) {
        String tenant = req.headers().get(config.tenantHeader());
        if (tenant == null || tenant.isEmpty()) {
            tenant = req.headers().get(FALLBACK_TENANT_HEADER);
        }
        return tenant == null || tenant.isEmpty() ? config.defaultTenant() : tenant;
    }

    /** Snappy-decodes the body into the thread's decode buffer; returns the decoded length. */
    private int decompress(ByteBuf body, Scratch sc) {
        final int n = body.readableBytes();
        if (n == 0) {
            throw new DecodeException("snappy decode error: empty body");
        }
        final byte[] in;
        final int off;
        if (body.hasArray()) {
            in = body.array();
            off = body.arrayOffset() + body.readerIndex();
        } else {
            if (sc.compressed.length < n) {
                sc.compressed = new byte[Math.max(n, sc.compressed.length * 2)];
            }
            body.getBytes(body.readerIndex(), sc.compressed, 0, n);
            in = sc.compressed;
            off = 0;
        }
        long decodedLen = uncompressedLength(in, off, n);
        if (decodedLen > config.limits().maxDecodedBytes()) {
            throw new TooLarge("write request too large: decoded body of " + decodedLen + " bytes exceeds the "
                    + config.limits().maxDecodedBytes() + "-byte limit");
        }
        if (sc.decoded.length < decodedLen) {
            sc.decoded = new byte[(int) Math.max(decodedLen, Math.min(config.limits().maxDecodedBytes(),
                    sc.decoded.length * 2L))];
        }
        try {
            return Snappy.uncompress(in, off, n, sc.decoded, 0);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("snappy decode error: corrupt input");
        }
    }

    /** Reads the uvarint length header of a snappy block; corrupt if missing or over 32 bits. */
    private static long uncompressedLength(byte[] in, int off, int n) {
        long v = 0;
        for (int i = 0, shift = 0; i < Math.min(n, 5); i++, shift += 7) {
            int b = in[off + i] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                if (v > 0xFFFFFFFFL) {
                    break;
                }
                return v;
            }
        }
        throw new DecodeException("snappy decode error: corrupt input (bad length header)");
    }

    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private static FullHttpResponse empty() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    /** An error answer as Go's {@code http.Error} writes it: the message and a newline. */
    static FullHttpResponse error(HttpResponseStatus status, String message) {
        FullHttpResponse r = plain(status, message + "\n");
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        return r;
    }

    /** Adds the 2.0 written-count headers (histograms and exemplars are not stored yet: always 0). */
    private static FullHttpResponse written(FullHttpResponse r, boolean v2, long samples) {
        if (v2) {
            r.headers().set(SAMPLES_WRITTEN, samples);
            r.headers().set(HISTOGRAMS_WRITTEN, 0);
            r.headers().set(EXEMPLARS_WRITTEN, 0);
        }
        return r;
    }

    private void reply(ChannelHandlerContext ctx, boolean keepAlive, long start, FullHttpResponse r) {
        metrics.request(r.status().code(), start);
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
