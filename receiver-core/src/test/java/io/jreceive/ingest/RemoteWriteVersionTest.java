package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RemoteWriteVersionTest {
    @Test
    void dispatchesOnProtoParameter() {
        assertEquals(RemoteWriteVersion.V1, RemoteWriteVersion.fromContentType(null));
        assertEquals(RemoteWriteVersion.V1, RemoteWriteVersion.fromContentType("application/x-protobuf"));
        assertEquals(RemoteWriteVersion.V1,
                RemoteWriteVersion.fromContentType("application/x-protobuf;proto=prometheus.WriteRequest"));
        assertEquals(RemoteWriteVersion.V2,
                RemoteWriteVersion.fromContentType("application/x-protobuf;proto=io.prometheus.write.v2.Request"));
        assertEquals(RemoteWriteVersion.V2,
                RemoteWriteVersion.fromContentType("Application/X-Protobuf; proto=io.prometheus.write.v2.Request"));
        assertThrows(RemoteWriteVersion.UnsupportedMediaType.class,
                () -> RemoteWriteVersion.fromContentType("application/json"));
        assertThrows(RemoteWriteVersion.UnsupportedMediaType.class,
                () -> RemoteWriteVersion.fromContentType("application/x-protobuf;proto=foo.Bar"));
    }
}
