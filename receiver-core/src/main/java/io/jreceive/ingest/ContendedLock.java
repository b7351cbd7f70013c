package io.jreceive.ingest;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands {@link ReentrantLock}s to parked waiters, so that {@link IngestWarmup} has run the lock's contended release
 * path before the append path is compiled. The warm-up appends from one thread, so its head's append lock
 * never has a waiter; real requests arrive on several event loops, and the first release that found one waiting
 * ran code the process had never run ({@code AbstractQueuedSynchronizer.signalNext} calling into its queue node):
 * the compiled append path, which inlines the release, stopped at that call (an "uninitialized" trap), was thrown
 * away and compiled again under the load. Measured: C2 compiled {@code Head.append} three more times (325 ms of a
 * core) during a 0.55 s load of 10k series (benchmarks/RESULTS.md). The path and its profile belong to the lock's
 * class, not to one lock, so any lock serves.
 */
final class ContendedLock {
    private ContendedLock() {
    }

    /** Runs {@code rounds} hand-overs, each to a waiter that is parked when the lock is released. */
    static void handOver(int rounds) {
        for (int i = 0; i < rounds; i++) {
            final ReentrantLock lock = new ReentrantLock();
            lock.lock();
            Thread waiter = new Thread(() -> {
                lock.lock();
                lock.unlock();
            }, "jreceive-warmup-waiter");
            waiter.setDaemon(true);
            try {
                waiter.start();
                // Parked: its queue node is marked waiting, so the release below must signal it.
                while (waiter.getState() != Thread.State.WAITING && waiter.isAlive()) {
                    Thread.onSpinWait();
                }
            } finally {
                lock.unlock();
            }
            try {
                waiter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
