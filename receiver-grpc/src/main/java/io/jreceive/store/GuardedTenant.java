package io.jreceive.store;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jreceive.chunk.SeriesChunks;

/**
 * One tenant's series stream under the request's partial response strategy: when reading the tenant fails, WARN
 * turns the failure into a warning and ends the tenant's stream; ABORT fails the call with ABORTED. Status errors
 * raised on purpose (limits) pass through unchanged.
 */
final class GuardedTenant implements Iterator<SeriesChunks> {
    private final String tenant;
    private final Supplier<Iterator<SeriesChunks>> open;
    private final boolean abort;
    private final ArrayDeque<String> warnings;
    private Iterator<SeriesChunks> in;
    private boolean failed;

    GuardedTenant(String tenant, Supplier<Iterator<SeriesChunks>> open, boolean abort,
                  ArrayDeque<String> warnings) {
        this.tenant = tenant;
        this.open = open;
        this.abort = abort;
        this.warnings = warnings;
    }

    @Override
    public boolean hasNext() {
        if (failed) {
            return false;
        }
        try {
            if (in == null) {
                in = open.get();
            }
            return in.hasNext();
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            String msg = "tenant " + tenant + ": " + e.getMessage();
            if (abort) {
                throw Status.ABORTED.withDescription(msg).withCause(e).asRuntimeException();
            }
            failed = true;
            warnings.add(msg);
            return false;
        }
    }

    @Override
    public SeriesChunks next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return in.next();
    }
}
