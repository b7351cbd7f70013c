package io.jreceive.tsdb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive {@code lock} file of one TSDB directory (a tenant's, as Thanos Receive gives every tenant's TSDB
 * its own, Prometheus' {@code lock}): two processes that both replayed, truncated and shipped the same WAL and
 * blocks would delete each other's segments and upload blocks twice. The file holds the holder's pid, so the one
 * refused can name it. The lock is the operating system's ({@link FileChannel#tryLock}: {@code fcntl} on Linux), so
 * it goes with the process, also on SIGKILL; a file left behind by a dead holder locks nothing.
 *
 * <p>It lives inside the tenant directory and never beside it: every name there is a valid tenant name.
 */
final class DirectoryLock implements Closeable {
    /** The lock file's name in a TSDB directory, as Prometheus'. */
    static final String FILE = "lock";

    /**
     * The directories this process holds. Checked before the file is opened: closing any descriptor of a file
     * drops every {@code fcntl} lock the process holds on it, so a second open here would release the first.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, Path file, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes {@code dir}'s lock and writes this process' pid into it.
     *
     * @throws DirectoryLockedException another process (or this one) holds it
     */
    static DirectoryLock acquire(Path dir) throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            throw new DirectoryLockedException(dir, Long.toString(ProcessHandle.current().pid()));
        }
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new DirectoryLockedException(dir, holder(file));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            return new DirectoryLock(key, file, ch, l);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
    }

    /** The pid written in the lock file, or "unknown" when it cannot be read. */
    private static String holder(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Removes the file and releases the lock, as Prometheus does on close. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
                HELD.remove(dir);
            }
        }
    }

    /** The directory is locked by another process (or by another open of it in this one). */
    static final class DirectoryLockedException extends IOException {
        private static final long serialVersionUID = 1L;

        DirectoryLockedException(Path dir, String pid) {
            super("data directory " + dir + " is in use by another process (pid " + pid + ", lock file "
                    + dir.resolve(FILE) + "): is another jreceive running on the same --tsdb.path?");
        }
    }
}
