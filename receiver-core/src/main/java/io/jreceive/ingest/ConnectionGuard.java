package io.jreceive.ingest;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Enforces the listener's {@link ConnectionLimits}: one instance per listener counts open connections and requests
 * in flight; {@link #install} gives each connection two handlers around the HTTP codec that move it through
 * <i>head</i> (read-header timeout), <i>body</i> (read-body timeout), <i>handling</i> (no timeout: the answer waits
 * for the WAL) and <i>idle</i> (idle timeout, until the next request's first byte), closing it when a timer fires.
 * The raw-bytes handler before the codec sees the first byte of a keep-alive connection's next request; the
 * message handler after it sees where a request's head and body end and when its answer is written. All state of a
 * connection is touched only on its event loop.
 */
final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int HANDLING = 2;
    private static final int IDLE = 3;

    private final ConnectionLimits limits;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    ConnectionGuard(ConnectionLimits limits) {
        this.limits = limits;
    }

    /** Open connections now (those refused included until they are closed). */
    int connections() {
        return connections.get();
    }

    /** Requests holding a slot of the request cap now (0 when there is no cap). */
    int requests() {
        return requests.get();
    }

    /** Adds a new connection's handlers around the pipeline's {@code http} codec. */
    void install(ChannelPipeline p) {
        Conn c = new Conn();
        p.addBefore("http", "guard-bytes", c.bytes);
        p.addAfter("http", "guard", c);
    }

    private final class Conn extends ChannelDuplexHandler {
        final Bytes bytes = new Bytes();
        int state = HEAD;
        ScheduledFuture<?> timer;
        /** Whether this connection holds one of the request slots. */
        boolean holdsRequest;
        /** The current request is over the cap: its body is dropped and it is answered 503. */
        boolean refusing;
        boolean refusedKeepAlive;
        /** The current request was answered before its body ended (413 from the aggregator). */
        boolean answeredEarly;
        /** Over the connection cap: answered 503 at once, and whatever it sends is dropped until it is closed. */
        boolean rejected;

        /** Sees raw bytes: the first byte after an idle period starts the read-header timer. */
        final class Bytes extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == IDLE && msg instanceof ByteBuf b && b.isReadable()) {
                    state = HEAD;
                    arm(ctx, limits.readHeaderTimeoutMs(), "read-header");
                }
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            int open = connections.incrementAndGet();
            if (limits.maxConnections() > 0 && open > limits.maxConnections()) {
                state = HANDLING;
                rejected = true;
                FullHttpResponse r = RemoteWriteHandler.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "too many open connections (limit " + limits.maxConnections() + "); retry later");
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            arm(ctx, limits.readHeaderTimeoutMs(), "read-header");
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            disarm();
            connections.decrementAndGet();
            releaseRequest();
            super.channelInactive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (rejected) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest req) {
                state = BODY;
                answeredEarly = false;
                arm(ctx, limits.readBodyTimeoutMs(), "read-body");
                if (limits.maxConcurrentRequests() > 0
                        && requests.incrementAndGet() > limits.maxConcurrentRequests()) {
                    requests.decrementAndGet();
                    refusing = true;
                    refusedKeepAlive = HttpUtil.isKeepAlive(req);
                } else {
                    if (limits.maxConcurrentRequests() > 0) {
                        holdsRequest = true;
                    }
                    refusing = false;
                }
            }
            if (msg instanceof LastHttpContent) {
                disarm();
                state = HANDLING;
                if (answeredEarly) {
                    toIdle(ctx);
                }
            }
            if (refusing) {
                boolean last = msg instanceof LastHttpContent;
                if (msg instanceof HttpContent || msg instanceof HttpRequest) {
                    ReferenceCountUtil.release(msg);
                } else {
                    ctx.fireChannelRead(msg);
                }
                if (last) {
                    refusing = false;
                    FullHttpResponse r = RemoteWriteHandler.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "too many concurrent requests (limit " + limits.maxConcurrentRequests()
                                    + "); retry later");
                    if (refusedKeepAlive) {
                        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                    }
                    // In line behind earlier requests' answers, written from the next handler's context so that
                    // this handler's write() sees it (and starts the idle timer).
                    ResponseQueue q = ResponseQueue.of(ctx.channel());
                    ChannelHandlerContext next = ctx.pipeline().context("aggregate");
                    q.answer(next != null ? next : ctx, q.reserve(), r, !refusedKeepAlive);
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse r && r.status().codeClass() != io.netty.handler.codec.http
                    .HttpStatusClass.INFORMATIONAL) {
                releaseRequest();
                promise = promise.unvoid();
                promise.addListener(f -> {
                    if (state == BODY) {
                        answeredEarly = true; // the body timer keeps running until the rest is read
                    } else if (state == HANDLING) {
                        toIdle(ctx);
                    }
                });
            }
            super.write(ctx, msg, promise);
        }

        private void toIdle(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                state = IDLE;
                arm(ctx, limits.idleTimeoutMs(), "idle");
            }
        }

        private void releaseRequest() {
            if (holdsRequest) {
                holdsRequest = false;
                requests.decrementAndGet();
            }
        }

        private void arm(ChannelHandlerContext ctx, long ms, String which) {
            disarm();
            final int armedIn = state;
            timer = ctx.executor().schedule(() -> {
                if (state == armedIn && ctx.channel().isActive()) {
                    LOG.debug("closing {}: {} timeout of {} ms", ctx.channel().remoteAddress(), which, ms);
                    ctx.close();
                }
            }, ms, TimeUnit.MILLISECONDS);
        }

        private void disarm() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
