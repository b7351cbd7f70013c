package io.jreceive.app;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.ingest.Transport;
import io.jreceive.ingest.TsdbStatusApi;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The operations listener ({@code --http-address}, default {@code 0.0.0.0:10902}): {@code /metrics} in the
 * Prometheus text format, {@code /-/healthy} (200 {@code OK} while the process runs) and {@code /-/ready} (200
 * {@code OK} once storage is open, else 503 {@code NOT OK}), as Thanos answers them, and
 * {@code GET /api/v1/status/tsdb} ({@link TsdbStatusApi}; Thanos serves it on the remote-write listener only, where
 * jreceive serves it too). Its one event loop computes the statistics itself: nothing else waits on it but probes
 * and scrapes.
 */
final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    OpsServer(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready, TsdbStatusApi status)
            throws InterruptedException {
        group = Transport.group(1, "ops-http");
        Handler handler = new Handler(registry, ready, status);
        channel = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), handler);
                    }
                }).bind(host, port).sync().channel();
        LOG.info("ops HTTP listening on {}", channel.localAddress());
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final PrometheusMeterRegistry registry;
        private final BooleanSupplier ready;
        private final TsdbStatusApi status;

        Handler(PrometheusMeterRegistry registry, BooleanSupplier ready, TsdbStatusApi status) {
            this.registry = registry;
            this.ready = ready;
            this.status = status;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            FullHttpResponse r = switch (path) {
                case "/metrics" -> text(HttpResponseStatus.OK, registry.scrape(),
                        "text/plain; version=0.0.4; charset=utf-8");
                case "/-/healthy" -> text(HttpResponseStatus.OK, "OK", "text/plain; charset=utf-8");
                case "/-/ready" -> ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "OK", "text/plain; charset=utf-8")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "NOT OK", "text/plain; charset=utf-8");
                case TsdbStatusApi.PATH -> req.method().equals(HttpMethod.GET) ? status.answer(req)
                        : text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed\n",
                                "text/plain; charset=utf-8");
                default -> text(HttpResponseStatus.NOT_FOUND, "404 page not found\n", "text/plain; charset=utf-8");
            };
            if (HttpUtil.isKeepAlive(req)) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
            return r;
        }
    }
}
