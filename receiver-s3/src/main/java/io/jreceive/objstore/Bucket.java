package io.jreceive.objstore;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * An object store bucket as the shipper and the block readers need it. Keys are slash-separated
 * ({@code <ULID>/chunks/000001}) and relative to the configured {@code prefix}, which the implementation adds.
 * Every call blocks; failures are {@link IOException}s naming the bucket and key.
 */
public interface Bucket extends Closeable {
    /** Uploads {@code file} as object {@code key}, replacing any object there. */
    void upload(String key, Path file) throws IOException;

    /** Whether object {@code key} exists. */
    boolean exists(String key) throws IOException;

    /**
     * Opens object {@code key} for reading; the caller closes the stream.
     *
     * @throws NoSuchFileException when there is no such object
     */
    InputStream get(String key) throws IOException;

    /** Reads object {@code key} whole. */
    default byte[] bytes(String key) throws IOException {
        try (InputStream in = get(key)) {
            return in.readAllBytes();
        }
    }

    /** Deletes object {@code key}; deleting an absent object is not an error. */
    void delete(String key) throws IOException;

    /**
     * Lists the keys of all objects whose key starts with {@code prefix}, at any depth, sorted. An empty prefix lists
     * the whole bucket (below the configured prefix).
     */
    List<String> iter(String prefix) throws IOException;

    /** A name for logs: the bucket name or directory. */
    String name();
}
