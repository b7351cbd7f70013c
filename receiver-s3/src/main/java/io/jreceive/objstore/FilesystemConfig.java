package io.jreceive.objstore;

import java.nio.file.Path;

/**
 * The {@code FILESYSTEM} provider's settings: objects are files under {@code directory}. Thanos documents it for
 * tests and demos only, without NFS support; jreceive writes each object atomically (temp file, then rename).
 *
 * @param directory the root directory, created on first use
 */
public record FilesystemConfig(Path directory) implements ObjstoreConfig.Provider {
    static FilesystemConfig parse(YamlSection c) {
        String dir = c.str("directory", "");
        c.finish();
        if (dir.isEmpty()) {
            throw new ObjstoreConfigException("missing directory for filesystem bucket");
        }
        return new FilesystemConfig(Path.of(dir));
    }
}
