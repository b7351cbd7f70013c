package io.jreceive.limits;

import java.util.ArrayDeque;

/**
 * Thanos' write gate ({@code max_concurrency}): at most {@code capacity} requests are processed at once, later ones
 * wait in arrival order instead of failing. Non-blocking, for event loops: {@link #enter(Runnable)} either admits
 * the caller or keeps its continuation, which {@link #leave()} of an admitted request runs once a slot is free.
 * Capacity 0 admits everything.
 */
public final class WriteGate {
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private long capacity;
    private long inFlight;

    public WriteGate(long capacity) {
        this.capacity = capacity;
    }

    /** True when the caller may go on now; otherwise {@code later} runs once admitted (on the leaver's thread). */
    public boolean enter(Runnable later) {
        synchronized (this) {
            if (capacity <= 0 || inFlight < capacity) {
                inFlight++;
                return true;
            }
            waiting.add(later);
            return false;
        }
    }

    /** Ends an admitted request; hands its slot to the longest-waiting one, if any. */
    public void leave() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** Changes the capacity (a reloaded limits file); waiting requests are admitted while slots are free. */
    public void capacity(long c) {
        while (true) {
            Runnable next;
            synchronized (this) {
                capacity = c;
                if (waiting.isEmpty() || (capacity > 0 && inFlight >= capacity)) {
                    return;
                }
                next = waiting.poll();
                inFlight++;
            }
            next.run();
        }
    }

    public synchronized long inFlight() {
        return inFlight;
    }

    public synchronized int waiting() {
        return waiting.size();
    }
}
