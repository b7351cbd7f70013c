package io.jreceive.tsdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thanos Receive's tenant pruning ({@code MultiTSDB.Prune}), driven by the receiver's maintenance loop. It runs only
 * with a retention ({@code --tsdb.retention} above 0), once after each multiple of twice the block duration since
 * the epoch: every 4 h at 00:00, 04:00, … UTC with 2 h blocks (Thanos runs at those minutes of its local day). For
 * each tenant whose newest sample (head or local block) is more than 1.5 block durations old:
 * <ol>
 * <li>its head is flushed into blocks, so an idle tenant's last hours reach the bucket instead of waiting in memory
 *     until the receiver stops (a head is otherwise cut only when new samples stretch it past 1.5 ranges);</li>
 * <li>if that sample is older than the retention as well, and {@code uploadedAll} confirms that every block is in
 *     the bucket, the tenant is closed, its directory deleted and its metrics dropped; a later write creates it
 *     anew. When uploads are behind it is kept, and tried again at the next run.</li>
 * </ol>
 * The tenant is {@link TenantDb#seal sealed} while this happens: its writes are answered 503 and retried by the
 * sender, so no append can slip between the flush and the truncation that follows it, nor into a deleted WAL.
 */
public final class TenantPruning {
    private static final Logger LOG = LoggerFactory.getLogger(TenantPruning.class);

    private final MultiTsdb tsdb;
    private final Predicate<TenantDb> uploadedAll;
    private final long interval;
    private long lastCheck;

    /**
     * @param uploadedAll asked, after the flush, whether a tenant idle past the retention has every block in the
     *                    bucket (typically after one more upload attempt); true without a bucket
     * @param startMs     the time the schedule counts from: the first run is at the next multiple of the interval
     */
    public TenantPruning(MultiTsdb tsdb, Predicate<TenantDb> uploadedAll, long startMs) {
        this.tsdb = tsdb;
        this.uploadedAll = uploadedAll;
        this.interval = 2 * tsdb.config().blockDurationMs();
        this.lastCheck = startMs;
    }

    /** What one run did: the tenants whose idle heads became blocks, and those removed. */
    public record Result(List<String> flushed, List<String> removed) {
    }

    /**
     * Whether a run is due at {@code nowMs}: a multiple of the interval (twice the block duration) has passed since
     * the previous call (or the start).
     */
    public boolean due(long nowMs) {
        boolean due = Math.floorDiv(nowMs, interval) > Math.floorDiv(lastCheck, interval);
        lastCheck = Math.max(lastCheck, nowMs);
        return due;
    }

    /** One pass over every tenant at {@code nowMs}, whatever the schedule says. */
    public Result run(long nowMs) {
        TsdbConfig c = tsdb.config();
        List<String> flushed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        if (c.retentionMs() <= 0) {
            return new Result(flushed, removed);
        }
        final long idleAfter = c.blockDurationMs() / 2 * 3;
        for (TenantDb db : List.copyOf(tsdb.tenants())) {
            long newest = db.newestSampleTime();
            if (newest == Long.MIN_VALUE || nowMs - newest <= idleAfter) {
                continue;
            }
            boolean expired = nowMs - newest > c.retentionMs();
            boolean headHolds = db.head().minTime() != Long.MAX_VALUE;
            if (!headHolds && !expired) {
                continue;
            }
            db.seal();
            boolean gone = false;
            try {
                if (headHolds) {
                    LOG.info("tenant {}: newest sample {} s old: flushing the idle head", db.tenant(),
                            (nowMs - newest) / 1000);
                    db.flush();
                    flushed.add(db.tenant());
                }
                if (expired) {
                    if (uploadedAll.test(db)) {
                        LOG.info("tenant {}: newest sample {} s old, past the retention of {} s: removing the tenant",
                                db.tenant(), (nowMs - newest) / 1000, c.retentionMs() / 1000);
                        gone = true;
                        tsdb.remove(db);
                        removed.add(db.tenant());
                    } else {
                        LOG.warn("tenant {}: idle past the retention, but not every block is in the bucket yet; "
                                + "kept until the next pruning", db.tenant());
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("tenant {}: pruning failed: {}", db.tenant(), e.toString());
            } finally {
                if (!gone) {
                    db.unseal();
                }
            }
        }
        return new Result(flushed, removed);
    }
}
