package io.jreceive.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A bucket kept as files under a directory, the {@code FILESYSTEM} objstore type: object {@code a/b} is the file
 * {@code <root>/a/b}. An upload copies into a hidden temp file beside the target, syncs it and renames it into
 * place, so a reader sees either no object or the whole one. Deleting the last object of a directory removes the
 * emptied directories up to the root, as Thanos does.
 */
public final class FilesystemBucket implements Bucket {
    private static final String TEMP_MARK = ".tmp-upload-";

    private final Path root;

    /** A bucket rooted at {@code root}, which is created on the first upload. */
    public FilesystemBucket(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void upload(String key, Path file) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + TEMP_MARK + System.nanoTime());
        try {
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public InputStream get(String key) throws IOException {
        Path p = resolve(key);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(key, null, "no such object in " + root);
        }
        return Files.newInputStream(p);
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = resolve(key);
        Files.deleteIfExists(p);
        for (Path dir = p.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root);
             dir = dir.getParent()) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                break;
            }
        }
    }

    @Override
    public List<String> iter(String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().contains(TEMP_MARK)) {
                    continue;
                }
                String key = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                if (key.startsWith(prefix)) {
                    keys.add(key);
                }
            }
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public String name() {
        return root.toString();
    }

    @Override
    public void close() {
        // Holds no open resources between calls.
    }

    private Path resolve(String key) throws IOException {
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IOException("invalid object key \"" + key + "\"");
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException("object key \"" + key + "\" leaves the bucket directory " + root);
        }
        return p;
    }
}
