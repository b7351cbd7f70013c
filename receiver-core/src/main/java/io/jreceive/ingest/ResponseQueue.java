package io.jreceive.ingest;

import java.util.ArrayDeque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

/**
 * The answers of one HTTP/1.1 connection, written in the order of its requests. A client may pipeline (send the
 * next requests before the first answer), and HTTP/1.1 answers carry no request id, so they must leave in request
 * order; but a successful write is answered once its WAL batch is fsynced while an error is known at once. Each
 * request takes a {@link Slot} when it arrives; an answer waits in its slot until every earlier one is written.
 *
 * <p>Only the connection's event loop touches it (answers completed elsewhere are handed back to it first).
 */
final class ResponseQueue {
    private static final AttributeKey<ResponseQueue> KEY = AttributeKey.valueOf(ResponseQueue.class, "answers");

    /** One request's place in line; its answer, once known. */
    static final class Slot {
        private FullHttpResponse response;
        private boolean close;
        /** Where the answer is counted; null for requests no handler took (404, 405), which are not counted. */
        IngestMetrics.RequestMeters meters;

        /** Whether this request's answer is known (written, or waiting for earlier ones). */
        boolean answered() {
            return response != null;
        }
    }

    private final ArrayDeque<Slot> slots = new ArrayDeque<>(4);
    /** An answer that closes the connection was written: later ones are dropped. */
    private boolean closing;

    /** The queue of {@code ch}, created on its first request. */
    static ResponseQueue of(Channel ch) {
        Attribute<ResponseQueue> a = ch.attr(KEY);
        ResponseQueue q = a.get();
        if (q == null) {
            q = new ResponseQueue();
            a.set(q);
        }
        return q;
    }

    /** A place for the answer of the request that just arrived, behind every earlier request's. */
    Slot reserve() {
        Slot s = new Slot();
        slots.addLast(s);
        return s;
    }

    /**
     * Puts {@code response} in its slot and writes every answer that is now first in line; {@code close} closes
     * the connection after this answer (and drops any later one: the client was told the connection ends here).
     */
    void answer(ChannelHandlerContext ctx, Slot slot, FullHttpResponse response, boolean close) {
        slot.response = response;
        slot.close = close;
        boolean wrote = false;
        for (Slot first; (first = slots.peekFirst()) != null && first.answered(); ) {
            slots.pollFirst();
            if (closing) {
                first.response.release();
                continue;
            }
            if (first.close) {
                closing = true;
                ctx.write(first.response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.write(first.response);
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }
}
