package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;

class IngestWarmupTest {
    private static RemoteWriteConfig config(RemoteWriteLimits limits) {
        return new RemoteWriteConfig("127.0.0.1", 0, RemoteWriteConfig.DEFAULT_TENANT_HEADER,
                RemoteWriteConfig.DEFAULT_TENANT, limits, 1, 0);
    }

    @Test
    void everyRequestIsAnsweredAndEveryHeadHoldsWhatWasSent() {
        // Heads of 2000, 2000 and 1000 series, requests of 1000 series, 3 rounds: (2 + 2 + 1) x 3 requests.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(5000, 3, 1000, 2000, 0, 0, false));
        assertEquals(15, r.requests());
        assertEquals(5000, r.series());
        assertEquals(15_000, r.samples());
    }

    @Test
    void theSmallRequestsPhaseSendsItsRequestsEachWithNewSeriesIntoAHeadThatHoldsThemAll() {
        // 1000 series in one head (1 request of 1000 series, 2 rounds), then 30 requests of 4 new series each.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(1000, 2, 1000, 1000, 0, 0, false).withSmallRequests(30));
        assertEquals(2 + 30, r.requests());
        assertEquals(1000 + 30 * IngestWarmup.Plan.SMALL_REQUEST_SERIES, r.series());
        assertEquals(2000 + 30 * IngestWarmup.Plan.SMALL_REQUEST_SERIES, r.samples());
    }

    @Test
    void onceStorageIsReadyTheSmallRequestsAreLeftOut() {
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(1000, 2, 1000, 1000, 0, 0, false).withSmallRequests(30), () -> true);
        assertEquals(2, r.requests());
        assertEquals(1000, r.series());
    }

    private static long waiters() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jreceive-warmup-waiter")).count();
    }

    @Test
    void aLockIsHandedToAParkedWaiterAndTheWaiterFinishes() {
        long before = waiters();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ContendedLock.handOver(3));
        assertEquals(before, waiters());
    }

    @Test
    void aLastRequestSmallerThanTheOthersIsBuiltForItsOwnSeries() {
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(2500, 2, 1000, 1500, 0, 0, false));
        // Heads of 1500 and 1000 series: requests of 1000 + 500, then 1000, each twice.
        assertEquals(6, r.requests());
        assertEquals(5000, r.samples());
    }

    @Test
    void anAnswerOtherThan200FailsTheWarmupWithTheAnswer() {
        RemoteWriteLimits fewLabels = new RemoteWriteLimits(RemoteWriteLimits.DEFAULT_MAX_BYTES,
                RemoteWriteLimits.DEFAULT_MAX_BYTES, 0, 0, 3, RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IngestWarmup.run(config(fewLabels), new IngestWarmup.Plan(100, 1, 100, 100, 0, 0, false)));
        assertTrue(e.getMessage().contains("400 Bad Request"), e.getMessage());

        RemoteWriteLimits tinyBodies = new RemoteWriteLimits(64, 64, 0, 0, RemoteWriteLimits.DEFAULT_MAX_LABELS,
                RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        e = assertThrows(IllegalStateException.class,
                () -> IngestWarmup.run(config(tinyBodies), new IngestWarmup.Plan(100, 1, 100, 100, 0, 0, false)));
        assertTrue(e.getMessage().contains("413"), e.getMessage());
    }

    @Test
    void theSteadyPhaseSendsItsRoundsInBatchesAndResendsTheLastRequest() {
        // 500 series x 150 rounds, 4 rounds per request: 38 requests, then the last round again. Missed scrapes: 32
        // series (i % 16 == 3) x 13 rounds (16, 27, ..., 148), 8 series (i % 64 == 7) x 24 rounds (20-25, 60-65,
        // 100-105, 140-145), 2 series (9, 265) x 40 rounds (60-99): 416 + 192 + 80 = 688 of 75000.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(0, 0, 2000, 2000, 500, 150, false));
        assertEquals(39, r.requests());
        assertEquals(500, r.series());
        assertEquals(75_000 - 688, r.samples());
    }

    @Test
    void withAnOutOfOrderWindowTheSteadyPhaseRunsAgainWithLateSamples() {
        // The same 38 + 1 requests and 75000 - 688 samples twice: the second time into a head with a window, where
        // late samples take the out-of-order path (the warm-up throws if none did, or if a head lost one).
        IngestWarmup.Plan plan = new IngestWarmup.Plan(0, 0, 2000, 2000, 500, 150, false)
                .withOutOfOrder(30 * 60_000L, 32);
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS), plan);
        assertEquals(2 * 39, r.requests());
        assertEquals(2 * 500, r.series());
        assertEquals(2 * (75_000 - 688), r.samples());
        // A window shorter than two scrape intervals would refuse late samples as too old: no such phase.
        IngestWarmup.Result narrow = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(0, 0, 2000, 2000, 500, 150, false).withOutOfOrder(20_000, 32));
        assertEquals(39, narrow.requests());
    }

    @Test
    void theHistogramPhaseStoresEveryHistogramAndIgnoresTheResentRound() {
        // 200 series x 100 rounds, 10 rounds per request: 10 requests, then the last round again, whose identical
        // histograms are ignored (the warm-up throws if a head holds other than 20000, or if the resend appended).
        // Series 2, 9, ... gain a bucket at round 50 and 4, 15, ... restart their counts at round 60: both valid.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(0, 0, 2000, 2000, 0, 0, false).withHistograms(200, 100));
        assertEquals(11, r.requests());
        assertEquals(200, r.series());
        assertEquals(20_000, r.samples());
    }

    @Test
    void theHistogramPhaseCreatesAHeadOfNewHistogramSeriesWhenThePlanHasCreationRounds() {
        // The long-lived phase as above (11 requests, 200 series, 20000 histograms), then a head of 2000 new
        // histogram series, 4 rounds of one request each (the warm-up throws unless it holds 2000 x 4); no float
        // series: the creation phase has 0 of them.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(0, 4, 2000, 2000, 0, 0, false).withHistograms(200, 100));
        assertEquals(11 + 4, r.requests());
        assertEquals(200 + 2000, r.series());
        assertEquals(20_000 + 8_000, r.samples());
    }

    @Test
    void lateSamplesComeAfterTheirSuccessorAndEachOnce() throws Exception {
        // Rounds 13 and 14 of series 5 (every other round late: round 13) and 0 (late when (i + r) % 10 == 3:
        // round 13), with rounds up to 13 allowed late: round 13's late samples come after round 14's.
        byte[] body = IngestWarmup.body(0, 6, 13, 15, 0, new byte[3 * 6 * 256], 13);
        WriteRequest req = WriteRequest.parseFrom(Snappy.uncompress(body));
        List<Long> series0 = new java.util.ArrayList<>();
        List<Long> series5 = new java.util.ArrayList<>();
        for (TimeSeries ts : req.getTimeseriesList()) {
            String name = ts.getLabelsList().stream().filter(l -> l.getName().equals("__name__")).findFirst()
                    .orElseThrow().getValue();
            if (name.endsWith("_0")) {
                series0.add(ts.getSamples(0).getTimestamp());
            } else if (name.endsWith("_5")) {
                series5.add(ts.getSamples(0).getTimestamp());
            }
        }
        assertEquals(List.of(IngestWarmup.timestamp(0, 14, 0), IngestWarmup.timestamp(0, 13, 0)), series0);
        assertEquals(List.of(IngestWarmup.timestamp(5, 14, 0), IngestWarmup.timestamp(5, 13, 0)), series5);
    }

    @Test
    void awaitingTheCompilerSendsTheSteadyPhaseAndTheFirstHeadAgain() {
        IngestWarmup.Plan plan = new IngestWarmup.Plan(3000, 2, 1000, 2000, 100, 20, true);
        IngestWarmup.Result once = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS),
                new IngestWarmup.Plan(3000, 2, 1000, 2000, 100, 20, false));
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS), plan);
        // Steady: 100 series, 10 rounds per request: 2 requests and the resent round; 20 rounds, none before 8
        // missed except series 3, 19, ..., 99 (7 series) in round 16: 2000 - 7 samples. Creation: heads of 2000
        // and 1000 series, requests of 1000 series, 2 rounds: 6 requests, 6000 samples.
        assertEquals(3 + 6, once.requests());
        assertEquals(100 + 3000, once.series());
        assertEquals(1993 + 6000, once.samples());
        // Again: the steady phase and the first head (2 requests of 1000 series, 2 rounds).
        assertEquals(9 + 3 + 4, r.requests());
        assertEquals(3100 + 100 + 2000, r.series());
        assertEquals(7993 + 1993 + 4000, r.samples());
    }

    @Test
    void aNoisyGaugeOutgrowsAChunkBeforeTheBlockBoundaryOfTheSteadyPhase() {
        // The steady phase puts the boundary at round 150 * 9 / 10 = 135: the size cut must come first.
        XorAppender a = new XorAppender();
        int r = 0;
        while (a.sizeBytes() <= XorChunk.MAX_BYTES) {
            a.appendBits(IngestWarmup.timestamp(2, r, 0), Double.doubleToRawLongBits(IngestWarmup.value(2, r)));
            r++;
        }
        assertTrue(r < 135, "a noisy gauge filled a chunk only after " + r + " samples");
        assertTrue(r > 30, "the chunk is full before its 30th sample (" + r + "), where its end is re-estimated");
    }

    @Test
    void bodiesAreWriteRequestsAsProtobufJavaReadsThem() throws Exception {
        long start = 1_700_000_000_000L;
        byte[] body = IngestWarmup.body(40, 43, 2, 3, start, new byte[3 * 256], -1);
        WriteRequest req = WriteRequest.parseFrom(Snappy.uncompress(body));
        assertEquals(3, req.getTimeseriesCount());
        TimeSeries s = req.getTimeseries(1);
        List<String> names = s.getLabelsList().stream().map(Label::getName).toList();
        assertEquals(List.of("__name__", "container", "instance", "job", "namespace", "pod"), names);
        assertEquals("jreceive_warmup_metric_1", s.getLabels(0).getValue());
        assertEquals("10.0.0.1:9100", s.getLabels(2).getValue());
        assertEquals(1, s.getSamplesCount());
        // Series 41 is a constant scraped with jitter: (41 * 7 + 2 * 13) % 5 = 3 ms late.
        assertEquals(start + 2 * 15_000 + 3, s.getSamples(0).getTimestamp());
        assertEquals(41 * 0.25, s.getSamples(0).getValue());
        assertEquals(2 * 1.5 + 40 * 0.25, req.getTimeseries(0).getSamples(0).getValue());
    }

    @Test
    void aBodyOfSeveralRoundsHoldsThemRoundByRoundWithoutMissedScrapes() throws Exception {
        // Series 3 misses round 16 (3 % 16 == 3, 16 % 11 == 5); rounds 15-17 of series 2-3.
        byte[] body = IngestWarmup.body(2, 4, 15, 18, 0, new byte[6 * 256], -1);
        WriteRequest req = WriteRequest.parseFrom(Snappy.uncompress(body));
        assertEquals(5, req.getTimeseriesCount());
        long[] times = req.getTimeseriesList().stream().mapToLong(t -> t.getSamples(0).getTimestamp()).toArray();
        assertArrayEquals(new long[] {15 * 15_000, 15 * 15_000, 16 * 15_000, 17 * 15_000, 17 * 15_000}, times);
        assertEquals("jreceive_warmup_metric_2", req.getTimeseries(2).getLabels(0).getValue());
    }
}
