package io.jreceive.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

import io.jreceive.head.AppendStats;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.limits.LimitsConfig;
import io.jreceive.limits.WriteLimiter;
import io.jreceive.relabel.BatchRelabeler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 * With a limits file ({@link WriteLimiter}) the checks run in Thanos' order before anything is stored: the write
 * gate ({@code max_concurrency}, requests wait), head series (429 {@code tenant is above active series limit} with
 * a Retry-After), body size (413 {@code write request too large}), series (413 {@code too many timeseries}),
 * samples (413 {@code too many samples}). Relabel rules ({@link BatchRelabeler}) then rewrite or drop series before
 * they are stored or routed; a request left empty is answered 200.
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
    private final IngestMetrics.HandlerMeters receiveMeters;
    private final IngestMetrics.HandlerMeters statusMeters;
    /** Null: {@code /api/v1/status/tsdb} is not served here. */
    private final TsdbStatusApi status;
    /** Distributes writes over a hashring; null = every write goes to {@link #writer} (ingestor mode). */
    private final WriteRouter router;
    private final String replicaHeader;
    /** Null without a limits configuration. */
    private final WriteLimiter limiter;
    /** Null without relabel rules: the common path does not relabel at all. */
    private final BatchRelabeler relabel;
    /** Seconds a client is asked to wait after 429 (head series): about one head compaction check. */
    static final int HEAD_LIMIT_RETRY_AFTER_SECONDS = 30;

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
        final WriteBatch relabelled = new WriteBatch();
        final Head.AppendContext append = new Head.AppendContext();
        byte[] compressed = new byte[64 * 1024];
        byte[] decoded = new byte[256 * 1024];

        void trim() {
            batch.trim();
            relabelled.trim();
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
        this(config, writer, null, null, registry);
    }

    /**
     * A handler that hands decoded writes to {@code router} (when not null) with the replica read from
     * {@code replicaHeader}; {@code writer} still answers readiness.
     */
    public RemoteWriteHandler(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                              io.micrometer.core.instrument.MeterRegistry registry) {
        this(config, writer, router, replicaHeader, registry, null, null);
    }

    /** As above, also enforcing {@code limiter}'s limits and applying {@code relabel}; either may be null. */
    public RemoteWriteHandler(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                              io.micrometer.core.instrument.MeterRegistry registry, WriteLimiter limiter,
                              BatchRelabeler relabel) {
        this(config, writer, router, replicaHeader, registry, limiter, relabel, null);
    }

    /** As above, also serving {@code GET /api/v1/status/tsdb} from {@code status} (null: 404, as before). */
    public RemoteWriteHandler(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                              io.micrometer.core.instrument.MeterRegistry registry, WriteLimiter limiter,
                              BatchRelabeler relabel, TsdbStatusApi status) {
        super(true);
        this.status = status;
        this.config = config;
        this.writer = writer;
        this.router = router;
        this.replicaHeader = replicaHeader;
        this.metrics = new IngestMetrics(registry);
        this.receiveMeters = metrics.handler(IngestMetrics.RECEIVE, "post");
        this.statusMeters = metrics.handler(IngestMetrics.TSDB_STATUS, "get");
        this.limiter = limiter;
        this.relabel = relabel;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        final long start = System.nanoTime();
        final boolean keepAlive = HttpUtil.isKeepAlive(req);
        final ResponseQueue.Slot slot = ResponseQueue.of(ctx.channel()).reserve();
        try {
            handle(ctx, req, slot, keepAlive, start);
        } catch (RuntimeException e) {
            // Every request must be answered: a slot left empty would hold back every later answer of the connection.
            LOG.error("remote write failed", e);
            if (!slot.answered()) {
                reply(ctx, slot, false, start, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString()));
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req, ResponseQueue.Slot slot, boolean keepAlive,
                        long start) {
        String path = new QueryStringDecoder(req.uri()).path();
        if (status != null && path.equals(TsdbStatusApi.PATH)) {
            status(ctx, req, slot, keepAlive, start);
            return;
        }
        if (!path.equals(RemoteWriteConfig.PATH)) {
            reply(ctx, slot, keepAlive, start, error(HttpResponseStatus.NOT_FOUND, "404 page not found"));
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed, use POST");
            r.headers().set(HttpHeaderNames.ALLOW, "POST");
            reply(ctx, slot, keepAlive, start, r);
            return;
        }
        slot.meters = receiveMeters.tenant(headerTenant(req));
        if (!writer.ready()) {
            reply(ctx, slot, keepAlive, start, plain(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable"));
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
            reply(ctx, slot, keepAlive, start, error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
            return;
        }
        final boolean v2 = version == RemoteWriteVersion.V2;
        final String tenant;
        try {
            tenant = config.tenantCertificateField() == null ? tenant(req)
                    : CertificateTenant.of(ctx, config.tenantCertificateField());
        } catch (CertificateTenant.Missing e) {
            metrics.decodeError("bad_tenant");
            reply(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()), v2, 0));
            return;
        }
        if (!Tenants.valid(tenant)) {
            metrics.decodeError("bad_tenant");
            reply(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST, "Tenant name not valid"),
                    v2, 0));
            return;
        }
        if (limiter == null) {
            admitted(ctx, slot, req, keepAlive, start, v2, tenant);
            return;
        }
        // The write gate: over max_concurrency the request waits (Thanos' gate blocks), here without blocking the
        // event loop: it is resumed on its own loop when a running request ends. The waiting request keeps its body:
        // retained here, released after it ran (the task is queued on this very event loop, so it cannot run before
        // the retain below).
        if (!limiter.gate().enter(() -> ctx.executor().execute(() -> {
            try {
                admitted(ctx, slot, req, keepAlive, start, v2, tenant);
            } finally {
                req.release();
            }
        }))) {
            req.retain();
            return;
        }
        admitted(ctx, slot, req, keepAlive, start, v2, tenant);
    }

    /** Everything after the write gate; every answer goes through {@link #done}, which leaves the gate. */
    private void admitted(ChannelHandlerContext ctx, ResponseQueue.Slot slot, FullHttpRequest req, boolean keepAlive,
                          long start, boolean v2, String tenant) {
        LimitsConfig.TenantLimits tl = null;
        if (limiter != null) {
            if (limiter.aboveHeadSeries(tenant)) {
                FullHttpResponse r = error(HttpResponseStatus.TOO_MANY_REQUESTS, "tenant is above active series limit");
                r.headers().setInt(HttpHeaderNames.RETRY_AFTER, HEAD_LIMIT_RETRY_AFTER_SECONDS);
                done(ctx, slot, keepAlive, start, written(r, v2, 0));
                return;
            }
            tl = limiter.limits(tenant);
            long compressed = req.content().readableBytes();
            if (tl.sizeBytes() > 0 && compressed > tl.sizeBytes()) {
                limiter.hit(tenant, "size_bytes_limit", compressed - tl.sizeBytes());
                metrics.decodeError("too_large");
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "write request too large"), v2, 0));
                return;
            }
        }
        final Scratch sc = SCRATCH.get();
        try {
            String replica = router == null || replicaHeader == null ? null : req.headers().get(replicaHeader);
            decodeAndWrite(ctx, slot, req.content(), keepAlive, start, v2, tenant, replica, sc, tl);
        } finally {
            sc.trim();
        }
    }

    /**
     * Decodes the body into the thread's scratch space, checks the request limits ({@code tl}, null = no limits
     * file), relabels, appends or routes it and answers (once durable).
     */
    private void decodeAndWrite(ChannelHandlerContext ctx, ResponseQueue.Slot slot, ByteBuf body, boolean keepAlive,
                                long start, boolean v2, String tenant, String replica, Scratch sc,
                                LimitsConfig.TenantLimits tl) {
        WriteBatch batch = sc.batch;
        try {
            int len = decompress(body, sc, tl == null ? 0 : tl.sizeBytes());
            if (v2) {
                sc.v2.decode(sc.decoded, len, batch, config.limits());
            } else {
                sc.v1.decode(sc.decoded, len, batch, config.limits());
            }
        } catch (TooLarge e) {
            metrics.decodeError("too_large");
            if (e.tenantLimit > 0) {
                limiter.hit(tenant, "size_bytes_limit", e.size - e.tenantLimit);
            }
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    e.getMessage()), v2, 0));
            return;
        } catch (DecodeException e) {
            metrics.decodeError(e.reason());
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()), v2, 0));
            return;
        }
        RemoteWriteLimits limits = config.limits();
        long maxSeries = tl != null && tl.series() > 0 ? tl.series() : limits.maxSeries();
        if (maxSeries > 0 && batch.seriesCount() > maxSeries) {
            metrics.decodeError("too_many_series");
            if (limiter != null) {
                limiter.hit(tenant, "series_limit", batch.seriesCount() - maxSeries);
            }
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "too many timeseries"), v2, 0));
            return;
        }
        long maxSamples = tl != null && tl.samples() > 0 ? tl.samples() : limits.maxSamples();
        if (maxSamples > 0 && batch.sampleTotal() > maxSamples) {
            metrics.decodeError("too_many_samples");
            if (limiter != null) {
                limiter.hit(tenant, "samples_limit", batch.sampleTotal() - maxSamples);
            }
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "too many samples"), v2, 0));
            return;
        }
        metrics.samplesReceived.increment(batch.sampleTotal());
        if (!config.nativeHistograms() && batch.histograms().count() > 0) {
            // --tsdb.enable-native-histograms=false: dropped and counted, as Thanos with the flag off.
            metrics.histogramsDropped.increment(batch.histograms().count());
            batch.histograms().clear();
        }
        if (relabel != null && batch.seriesCount() > 0) {
            if (relabel.apply(batch, sc.relabelled) == 0 && !batch.hasDropped()) {
                done(ctx, slot, keepAlive, start, written(empty(), v2, 0));
                return;
            }
            batch = sc.relabelled;
        }

        if (router != null) {
            route(ctx, slot, keepAlive, start, replica, tenant, batch, v2);
            return;
        }
        java.util.concurrent.CompletableFuture<Void> durable;
        try {
            durable = writer.write(tenant, batch, sc.append);
        } catch (RuntimeException e) {
            LOG.error("append for tenant {} failed", tenant, e);
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "append: " + e.getMessage()), v2, 0));
            return;
        }
        // The scratch space is reused by the next request on this thread: take the outcome now.
        final AppendStats st = sc.append.stats;
        if (batch.seriesWithoutName() > 0) {
            metrics.seriesWithoutName.increment(batch.seriesWithoutName());
        }
        final long writtenSamples = (long) st.appended + st.duplicatesIgnored;
        final long writtenHistograms = (long) st.histogramsAppended + st.histogramsIgnored;
        if (st.histogramsRejected + st.histogramsInvalid > 0) {
            metrics.histogramsDropped.increment(st.histogramsRejected + st.histogramsInvalid);
        }
        final long writtenExemplars = st.exemplarsWritten;
        if (st.exemplarsRejected() > 0) {
            metrics.exemplarsDropped.increment(st.exemplarsRejected());
        }
        final FullHttpResponse answer;
        if (st.hasConflicts()) {
            metrics.conflictSamples.increment(st.outOfBounds + st.outOfOrder + st.duplicates + st.tooOld);
            int badSeries = 0;
            for (int e : st.seriesErrors) {
                badSeries += e;
            }
            metrics.conflictSeries.increment(badSeries);
            answer = written(error(HttpResponseStatus.CONFLICT, st.conflictMessage()), v2, writtenSamples,
                    writtenHistograms, writtenExemplars);
        } else {
            answer = written(empty(), v2, writtenSamples, writtenHistograms, writtenExemplars);
        }
        durable.whenCompleteAsync((ok, err) -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (cause instanceof io.jreceive.wal.WalOverloadedException
                    || cause instanceof TenantUnavailableException) {
                answer.release();
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        cause.getMessage()), v2, 0));
            } else if (cause instanceof io.jreceive.head.AppendTooLargeException) {
                answer.release();
                metrics.decodeError("too_large");
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        cause.getMessage()), v2, 0));
            } else if (err != null) {
                answer.release();
                LOG.error("WAL write for tenant {} failed", tenant, err);
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "write to WAL: " + cause.getMessage()), v2, 0));
            } else {
                done(ctx, slot, keepAlive, start, answer);
            }
        }, ctx.executor());
    }

    /**
     * Hands the batch to the router with the replica of the replica header (a decimal number; anything else is 400
     * {@code could not parse replica header}) and answers with the router's outcome: 200 with an empty body, or the
     * status and text of its {@link RoutedWriteException}.
     */
    private void route(ChannelHandlerContext ctx, ResponseQueue.Slot slot, boolean keepAlive, long start, String r,
                       String tenant, WriteBatch batch, boolean v2) {
        long replica = 0;
        if (r != null && !r.isEmpty()) {
            try {
                replica = Long.parseUnsignedLong(r);
            } catch (NumberFormatException e) {
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.BAD_REQUEST,
                        "could not parse replica header"), v2, 0));
                return;
            }
        }
        final long samples = batch.sampleTotal();
        java.util.concurrent.CompletableFuture<Void> done;
        try {
            done = router.write(tenant, replica, batch);
        } catch (RuntimeException e) {
            LOG.error("routing a write for tenant {} failed", tenant, e);
            done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString()),
                    v2, 0));
            return;
        }
        done.whenCompleteAsync((ok, err) -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (cause == null) {
                done(ctx, slot, keepAlive, start, written(empty(), v2, samples));
            } else if (cause instanceof RoutedWriteException rw) {
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.valueOf(rw.status()),
                        rw.getMessage()), v2, 0));
            } else {
                LOG.error("routed write for tenant {} failed", tenant, cause);
                done(ctx, slot, keepAlive, start, written(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        cause.toString()), v2, 0));
            }
        }, ctx.executor());
    }

    /**
     * {@code GET /api/v1/status/tsdb}: the statistics walk every label pair of the tenant's head, so they are computed
     * off the event loop (in the common pool) and answered in request order back on it.
     */
    private void status(ChannelHandlerContext ctx, FullHttpRequest req, ResponseQueue.Slot slot, boolean keepAlive,
                        long start) {
        if (!req.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            reply(ctx, slot, keepAlive, start, r);
            return;
        }
        slot.meters = statusMeters.tenant(status.meterTenant(req));
        req.retain();
        java.util.concurrent.ForkJoinPool.commonPool().execute(() -> {
            FullHttpResponse r;
            try {
                r = status.answer(req);
            } catch (RuntimeException e) {
                LOG.error("tsdb status failed", e);
                r = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString());
            } finally {
                req.release();
            }
            FullHttpResponse answer = r;
            ctx.executor().execute(() -> reply(ctx, slot, keepAlive, start, answer));
        });
    }

    /** The tenant label of the request meters, as Thanos' middleware takes it: the tenant header or the default. */
    private String headerTenant(FullHttpRequest req) {
        String tenant = req.headers().get(config.tenantHeader());
        return tenant == null || tenant.isEmpty() ? config.defaultTenant() : tenant;
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
    private int decompress(ByteBuf body, Scratch sc, long tenantLimit) {
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
        if (tenantLimit > 0 && decodedLen > tenantLimit) {
            throw new TooLarge("write request too large", decodedLen, tenantLimit);
        }
        if (decodedLen > config.limits().maxDecodedBytes()) {
            throw new TooLarge("write request too large: decoded body of " + decodedLen + " bytes exceeds the "
                    + config.limits().maxDecodedBytes() + "-byte limit", decodedLen, 0);
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
        final long size;
        /** The tenant's size_bytes_limit that was passed, or 0 when it was the server's own cap. */
        final long tenantLimit;

        TooLarge(String message, long size, long tenantLimit) {
            super(message, null, false, false);
            this.size = size;
            this.tenantLimit = tenantLimit;
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

    /** Adds the 2.0 written-count headers for an answer that stored no histogram and no exemplar. */
    private static FullHttpResponse written(FullHttpResponse r, boolean v2, long samples) {
        return written(r, v2, samples, 0, 0);
    }

    /** Adds the 2.0 written-count headers. */
    private static FullHttpResponse written(FullHttpResponse r, boolean v2, long samples, long histograms,
                                            long exemplars) {
        if (v2) {
            r.headers().set(SAMPLES_WRITTEN, samples);
            r.headers().set(HISTOGRAMS_WRITTEN, histograms);
            r.headers().set(EXEMPLARS_WRITTEN, exemplars);
        }
        return r;
    }

    /**
     * The answer to a request that passed the write gate: leaves the gate, then answers (so a client that has its
     * answer never sees its slot still taken).
     */
    private void done(ChannelHandlerContext ctx, ResponseQueue.Slot slot, boolean keepAlive, long start,
                      FullHttpResponse r) {
        if (limiter != null) {
            limiter.gate().leave();
        }
        reply(ctx, slot, keepAlive, start, r);
    }

    /** Answers the request of {@code slot}, in request order ({@link ResponseQueue}). */
    private void reply(ChannelHandlerContext ctx, ResponseQueue.Slot slot, boolean keepAlive, long start,
                       FullHttpResponse r) {
        if (slot.meters != null) {
            slot.meters.record(r.status().code(), start);
        }
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ResponseQueue.of(ctx.channel()).answer(ctx, slot, r, !keepAlive);
    }
}
