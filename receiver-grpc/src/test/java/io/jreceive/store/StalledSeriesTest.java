package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jreceive.block.BlockReader;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.tsdb.TenantDb;

/**
 * A Series client that stalls (reads one frame, then nothing) while the tenant lets go of the blocks the stream
 * reads, as retention, tenant pruning and shutdown do: the blocks stay mapped for the stream, which then completes
 * with every sample; they are unmapped when it completes, or at once when the client cancels instead.
 */
class StalledSeriesTest {
    /** Enough that the answer (about 3 MB of random values) outgrows the HTTP/2 flow-control window. */
    private static final int SERIES = 1000;

    @TempDir
    Path dir;

    private static StoreFixture fill(Path dir) throws Exception {
        StoreFixture fx = new StoreFixture(dir, Map.of("replica", "r0"), 0, 0);
        java.util.Random rnd = new java.util.Random(1);
        for (long w = 0; w < 3 * StoreFixture.H2; w += 1800_000L) {
            StoreFixture.Window win = fx.window();
            for (int s = 0; s < SERIES; s++) {
                win.add("t", Labels.of("__name__", "m", "s", String.format("%04d", s)),
                        StoreServiceTest.times(w, w + 1800_000L, 60_000), StoreServiceTest.values(30, rnd));
            }
            win.write();
        }
        fx.tsdb.tenant("t").flush();
        return fx;
    }

    private static SeriesRequest all() {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE).addMatchers(LabelMatcher
                .newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("m")).build();
    }

    /** A client with manual flow control: asks for one frame, then only when told to. */
    private static final class SlowClient implements ClientResponseObserver<SeriesRequest, SeriesResponse> {
        final List<SeriesResponse> frames = new ArrayList<>();
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable error;
        ClientCallStreamObserver<SeriesRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<SeriesRequest> c) {
            call = c;
            c.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(SeriesResponse r) {
            synchronized (frames) {
                frames.add(r);
            }
            first.countDown();
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }
    }

    @Test
    void aStalledStreamKeepsItsBlocksAndCompletesWithEverySample() throws Exception {
        try (StoreFixture fx = fill(dir)) {
            TenantDb db = fx.tsdb.tenant("t");
            List<BlockReader> blocks = db.blocks();
            assertEquals(3, blocks.size());
            SlowClient c = new SlowClient();
            StoreGrpc.newStub(fx.channel).series(all(), c);
            assertTrue(c.first.await(30, TimeUnit.SECONDS));
            // The tenant gives up its references, as retention, pruning and a shutdown do.
            blocks.forEach(BlockReader::close);
            assertTrue(blocks.stream().allMatch(BlockReader::mapped), "the stalled stream holds them");
            c.call.request(Integer.MAX_VALUE);
            assertTrue(c.done.await(60, TimeUnit.SECONDS));
            assertEquals(null, c.error);
            List<StoreFixture.Answer> got = StoreFixture.decode(c.frames);
            assertEquals(SERIES, got.size());
            assertEquals(SERIES * 360, got.stream().mapToInt(a -> a.samples().size()).sum(), "every sample");
            assertTrue(blocks.stream().noneMatch(BlockReader::mapped), "unmapped once the stream completed");
        }
    }

    @Test
    void aCancelledStreamReleasesItsBlocks() throws Exception {
        try (StoreFixture fx = fill(dir)) {
            List<BlockReader> blocks = fx.tsdb.tenant("t").blocks();
            SlowClient c = new SlowClient();
            StoreGrpc.newStub(fx.channel).series(all(), c);
            assertTrue(c.first.await(30, TimeUnit.SECONDS));
            blocks.forEach(BlockReader::close);
            c.call.cancel("client gives up", null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (blocks.stream().anyMatch(BlockReader::mapped) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(blocks.stream().anyMatch(BlockReader::mapped), "the cancel released them");
        }
    }
}
