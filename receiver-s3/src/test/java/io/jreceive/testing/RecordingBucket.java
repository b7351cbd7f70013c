package io.jreceive.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

import io.jreceive.objstore.Bucket;

/**
 * Wraps a bucket, records every successful upload in order, and fails uploads whose key matches
 * {@link #failUploads} (an {@link IOException} "injected failure") until the predicate is cleared.
 */
public final class RecordingBucket implements Bucket {
    private final Bucket inner;
    private final List<String> uploads = Collections.synchronizedList(new ArrayList<>());
    private volatile Predicate<String> failUploads = key -> false;

    public RecordingBucket(Bucket inner) {
        this.inner = inner;
    }

    /** Makes uploads of matching keys fail; {@code key -> false} heals. */
    public void failUploads(Predicate<String> which) {
        this.failUploads = which;
    }

    /** Keys uploaded successfully, in order. */
    public List<String> uploads() {
        synchronized (uploads) {
            return List.copyOf(uploads);
        }
    }

    @Override
    public void upload(String key, Path file) throws IOException {
        if (failUploads.test(key)) {
            throw new IOException("injected failure uploading " + key);
        }
        inner.upload(key, file);
        uploads.add(key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return inner.exists(key);
    }

    @Override
    public InputStream get(String key) throws IOException {
        return inner.get(key);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(key);
    }

    @Override
    public List<String> iter(String prefix) throws IOException {
        return inner.iter(prefix);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
