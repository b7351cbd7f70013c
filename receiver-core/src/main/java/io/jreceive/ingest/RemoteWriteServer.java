package io.jreceive.ingest;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The remote-write HTTP listener ({@code --remote-write.address}, default {@code 0.0.0.0:19291}): Netty with epoll
 * where available, HTTPS when {@link RemoteWriteConfig#tls()} is set ({@link RemoteWriteTls}), an aggregator bounded by the compressed-body limit (past it: 413 naming the limit) and the
 * shared {@link RemoteWriteHandler}; a {@link ConnectionGuard} applies the timeouts and caps of
 * {@link ConnectionLimits}. {@link #close()} stops accepting and waits for the event loops to finish the
 * requests in flight.
 */
public final class RemoteWriteServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final ConnectionGuard guard;

    public RemoteWriteServer(RemoteWriteConfig config, TenantWriter writer, MeterRegistry registry)
            throws InterruptedException {
        this(config, writer, null, null, registry);
    }

    /** A listener whose writes go to {@code router} when it is not null, the replica read from {@code replicaHeader}. */
    public RemoteWriteServer(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                             MeterRegistry registry) throws InterruptedException {
        this(config, writer, router, replicaHeader, registry, null, null);
    }

    /** As above, the handler also enforcing {@code limiter} and applying {@code relabel} (either may be null). */
    public RemoteWriteServer(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                             MeterRegistry registry, io.jreceive.limits.WriteLimiter limiter,
                             io.jreceive.relabel.BatchRelabeler relabel) throws InterruptedException {
        this(config, writer, router, replicaHeader, registry, limiter, relabel, null);
    }

    /** As above, also serving {@code GET /api/v1/status/tsdb} from {@code status} (may be null), as Thanos does. */
    public RemoteWriteServer(RemoteWriteConfig config, TenantWriter writer, WriteRouter router, String replicaHeader,
                             MeterRegistry registry, io.jreceive.limits.WriteLimiter limiter,
                             io.jreceive.relabel.BatchRelabeler relabel, TsdbStatusApi status)
            throws InterruptedException {
        boss = Transport.group(1, "rw-accept");
        workers = Transport.group(config.ioThreads(), "rw-io");
        final RemoteWriteHandler handler = new RemoteWriteHandler(config, writer, router, replicaHeader, registry,
                limiter, relabel, status);
        guard = new ConnectionGuard(config.connections());
        final RemoteWriteTls.Reloading ssl;
        try {
            ssl = config.tls() == null ? null : new RemoteWriteTls.Reloading(config.tls());
        } catch (SSLException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalArgumentException("--remote-write.server-tls-*: " + e.getMessage(), e);
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch.pipeline(), handler, config.limits());
                        guard.install(ch.pipeline());
                        if (ssl != null) {
                            ch.pipeline().addFirst("tls", ssl.current().newHandler(ch.alloc()))
                                    .addAfter("tls", "tls-errors", TLS_ERRORS);
                        }
                    }
                });
        channel = b.bind(config.host(), config.port()).sync().channel();
        LOG.info("remote write listening on {} ({}{})", channel.localAddress(), Transport.name(),
                ssl == null ? ", plain HTTP" : config.tls().clientCa() == null ? ", HTTPS"
                        : ", HTTPS, client certificates required");
    }

    private static final TlsErrors TLS_ERRORS = new TlsErrors();

    /**
     * A client that fails the TLS handshake (no or an untrusted client certificate, an old version, plain HTTP on
     * the HTTPS port) is logged in one line and its connection closed, as Go's HTTP server logs {@code http: TLS
     * handshake error from ...}; without this Netty logs each with a stack trace.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class TlsErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                    ? cause.getCause() : cause;
            if (c instanceof SSLException) {
                String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
                LOG.warn("TLS handshake error from {}: {}", ctx.channel().remoteAddress(),
                        m.length() > 120 ? m.substring(0, 120) + "..." : m);
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    /** A connection's handlers: HTTP codec, the aggregator bounded by the compressed-body limit, the handler. */
    static void initPipeline(ChannelPipeline p, RemoteWriteHandler handler, RemoteWriteLimits limits) {
        final int maxBody = (int) Math.min(Integer.MAX_VALUE, limits.maxCompressedBytes());
        p.addLast("http", new HttpServerCodec())
                .addLast("aggregate", new BoundedAggregator(maxBody))
                .addLast("receive", handler);
    }

    /** Connections open now. */
    public int connections() {
        return guard.connections();
    }

    /** Requests holding a slot of {@code --remote-write.max-concurrent-requests} now. */
    public int requestsInFlight() {
        return guard.requests();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        // Bounded: a stop must not hang on a listener whose event loop does not answer (seen once, not reproduced:
        // a SIGTERM waited here for 12 minutes under a reconnecting client); the group shutdowns below close it.
        if (!channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            LOG.warn("remote-write listener did not close within 5 s; shutting its event loops down");
        }
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        // Requests in flight finish (their WAL futures complete and answers are written) within the quiet period.
        workers.shutdownGracefully(200, 30_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    /**
     * Answers an over-limit body with 413 and a reason naming the limit. On a keep-alive connection the rest of the
     * body is read and discarded by the aggregator (closing with unread bytes would reset the connection and could
     * destroy the answer before the client reads it); otherwise the connection is closed after the answer.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int limit;

        BoundedAggregator(int limit) {
            super(limit);
            this.limit = limit;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            FullHttpResponse r = RemoteWriteHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "write request too large: body exceeds the " + limit + "-byte limit");
            // In line behind the answers of earlier requests still waiting for their WAL (pipelining).
            ResponseQueue q = ResponseQueue.of(ctx.channel());
            if (HttpUtil.isKeepAlive(oversized) && !(oversized instanceof FullHttpMessage)) {
                q.answer(ctx, q.reserve(), r, false);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                q.answer(ctx, q.reserve(), r, true);
            }
        }
    }
}
