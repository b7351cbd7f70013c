package io.jreceive.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A view of another bucket in which every key lives under {@code <prefix>/}, the objstore {@code prefix} setting.
 * Listing strips the prefix again, so callers never see it.
 */
final class PrefixedBucket implements Bucket {
    private final Bucket inner;
    private final String prefix;

    PrefixedBucket(Bucket inner, String prefix) {
        this.inner = inner;
        this.prefix = prefix + "/";
    }

    @Override
    public void upload(String key, Path file) throws IOException {
        inner.upload(prefix + key, file);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return inner.exists(prefix + key);
    }

    @Override
    public InputStream get(String key) throws IOException {
        return inner.get(prefix + key);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(prefix + key);
    }

    @Override
    public List<String> iter(String keyPrefix) throws IOException {
        List<String> keys = inner.iter(prefix + keyPrefix);
        List<String> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            out.add(k.substring(prefix.length()));
        }
        return out;
    }

    @Override
    public String name() {
        return inner.name() + "/" + prefix.substring(0, prefix.length() - 1);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
