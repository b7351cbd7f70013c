package io.jreceive.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes synthetic but well-formed TSDB block directories for shipper tests: a Prometheus {@code meta.json} (with an
 * extra {@code jreceiveTestKey} that must survive the upload), an {@code index} and {@code chunks/000001} of random
 * bytes, and a {@code tombstones} file that must never be uploaded. Also makes ULIDs.
 */
public final class TestBlocks {
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private TestBlocks() {
    }

    /** A ULID for {@code millis} with random bits from {@code random}. */
    public static String ulid(long millis, Random random) {
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (t & 31)];
            t >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = CROCKFORD[random.nextInt(32)];
        }
        return new String(out);
    }

    /**
     * Writes block {@code ulid} under {@code tenantDir}.
     *
     * @return the block directory
     */
    public static Path write(Path tenantDir, String ulid, long minTime, long numSamples, int level, int chunkBytes,
                             int indexBytes, Random random) throws IOException {
        Path dir = tenantDir.resolve(ulid);
        Files.createDirectories(dir.resolve("chunks"));
        byte[] chunk = new byte[chunkBytes];
        random.nextBytes(chunk);
        Files.write(dir.resolve("chunks").resolve("000001"), chunk);
        byte[] index = new byte[indexBytes];
        random.nextBytes(index);
        Files.write(dir.resolve("index"), index);
        Files.write(dir.resolve("tombstones"), new byte[] {0x01, 0x30, (byte) 0xBA, 0x30, 1, 0, 0, 0, 0});
        String meta = "{\n"
                + "\t\"ulid\": \"" + ulid + "\",\n"
                + "\t\"minTime\": " + minTime + ",\n"
                + "\t\"maxTime\": " + (minTime + 7_200_000) + ",\n"
                + "\t\"stats\": {\n\t\t\"numSamples\": " + numSamples + ",\n\t\t\"numFloatSamples\": " + numSamples
                + ",\n\t\t\"numSeries\": 3,\n\t\t\"numChunks\": 3\n\t},\n"
                + "\t\"compaction\": {\n\t\t\"level\": " + level + ",\n\t\t\"sources\": [\n\t\t\t\"" + ulid
                + "\"\n\t\t]\n\t},\n"
                + "\t\"version\": 1,\n"
                + "\t\"jreceiveTestKey\": {\"kept\": true}\n"
                + "}\n";
        Files.write(dir.resolve("meta.json"), meta.getBytes(StandardCharsets.UTF_8));
        return dir;
    }
}
