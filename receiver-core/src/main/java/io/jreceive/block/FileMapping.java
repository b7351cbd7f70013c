package io.jreceive.block;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only memory mapping of a block file, and its prompt release. Java 17 has no public unmap; waiting for the
 * garbage collector would keep deleted blocks' disk space pinned, so {@link #unmap} calls
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, no JVM flags needed), as Lucene did before
 * the foreign-memory API. If that is unavailable the mapping is left to the collector.
 */
public final class FileMapping {
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private FileMapping() {
    }

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Maps the whole of {@code file} read-only, big-endian. The file descriptor is closed before returning.
     *
     * @throws IOException if the file is larger than 2 GiB (one buffer's limit) or cannot be mapped
     */
    public static MappedByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new IOException(file + " has " + size + " bytes; files above 2 GiB are not supported");
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            m.order(ByteOrder.BIG_ENDIAN);
            return m;
        }
    }

    /** Releases a mapping now. Any later access to {@code b} or its slices may crash the JVM. */
    public static void unmap(MappedByteBuffer b) {
        if (INVOKE_CLEANER == null || b == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) b);
        } catch (Throwable t) {
            throw new IllegalStateException("unmapping failed", t);
        }
    }
}
