package io.jreceive.shipper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code <tenant dir>/thanos.shipper.json}, the shipper's record of the local blocks that are in the bucket:
 *
 * <pre>
 * {
 * 	"version": 1,
 * 	"uploaded": [
 * 		"01JD3Z5V8K2M7Q9X4T6W1R0N5B"
 * 	]
 * }
 * </pre>
 *
 * Tab-indented as Thanos writes it; {@code version} must be 1; {@code uploaded} is {@code null} when empty. The file
 * is an optimisation (a missing one only costs an {@code Exists} call per block), so it is written atomically but a
 * reader treats any problem as "nothing recorded".
 */
final class ShipperFile {
    /** The file name inside the tenant directory. */
    static final String NAME = "thanos.shipper.json";
    /** The only {@code version} there is. */
    static final int VERSION = 1;

    private ShipperFile() {
    }

    /**
     * The recorded ULIDs, in file order; empty when the file does not exist.
     *
     * @throws IOException when the file exists but cannot be read or is not a version 1 shipper file
     */
    static Set<String> read(Path file) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonNode root = GoJson.MAPPER.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            throw new IOException(file + ": unexpected meta file version " + version);
        }
        JsonNode uploaded = root.get("uploaded");
        if (uploaded == null || uploaded.isNull()) {
            return out;
        }
        if (!uploaded.isArray()) {
            throw new IOException(file + ": \"uploaded\" is not an array");
        }
        for (JsonNode id : uploaded) {
            if (!id.isTextual() || !Ulid.valid(id.textValue())) {
                throw new IOException(file + ": \"uploaded\" holds " + id + ", not a ULID");
            }
            out.add(id.textValue());
        }
        return out;
    }

    /** Replaces the file with one recording {@code ulids}, atomically and durably. */
    static void write(Path file, Collection<String> ulids) throws IOException {
        ObjectNode root = GoJson.MAPPER.createObjectNode();
        root.put("version", VERSION);
        if (ulids.isEmpty()) {
            root.putNull("uploaded");
        } else {
            ArrayNode arr = root.putArray("uploaded");
            ulids.forEach(arr::add);
        }
        GoJson.writeAtomically(file, root);
    }
}
