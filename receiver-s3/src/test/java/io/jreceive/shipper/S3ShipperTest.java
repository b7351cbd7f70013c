package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jreceive.objstore.Bucket;
import io.jreceive.objstore.Buckets;
import io.jreceive.objstore.ObjstoreConfig;
import io.jreceive.testing.S3ProxyFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class S3ShipperTest extends ShipperContract {
    private static S3ProxyFixture s3;

    @BeforeAll
    static void startProxy() throws Exception {
        s3 = S3ProxyFixture.create();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        s3.close();
    }

    @Override
    Bucket emptyBucket() throws Exception {
        s3.start();
        s3.clear();
        // The outage test restarts the proxy; the JDK's keep-alive cache (up to 5 connections per host, used by the
        // SDK's URL-connection client) may then hold dead connections, and each retry can draw another one. Six
        // attempts outlast the cache; in production a failed sync is simply retried at the next tick.
        return Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml("max_retries: 5")));
    }

    @Test
    void outageHoldsBlocksUntilS3IsBackThenShipsEachOnce() throws Exception {
        List<String> ids = List.of(block(0), block(2), block(4));
        Shipper shipper = shipper();
        s3.stop();
        try {
            SyncResult down = shipper.sync();
            assertFalse(down.ok());
            assertEquals(3, down.waiting());
            SyncResult stillDown = shipper.sync();
            assertFalse(stillDown.ok());
            assertEquals(2.0, counter(Shipper.DIR_SYNC_FAILURES));
            assertEquals(2.0, counter(Shipper.UPLOAD_FAILURES));
            assertEquals(3.0, gauge(Shipper.BLOCKS_WAITING));
            assertEquals(0.0, gauge(Shipper.LAST_SUCCESSFUL_UPLOAD_TIME));
            assertTrue(shipper.uploaded().isEmpty());
            assertTrue(recorded().isEmpty());
        } finally {
            s3.start();
        }
        SyncResult up = shipper.sync();
        assertTrue(up.ok(), () -> String.valueOf(up.error()));
        assertEquals(3, up.uploaded());
        assertEquals(0.0, gauge(Shipper.BLOCKS_WAITING));
        assertEquals(3.0, counter(Shipper.UPLOADS));
        List<String> uploads = bucket.uploads();
        assertEquals(9, uploads.size());
        assertEquals(uploads.size(), new HashSet<>(uploads).size(), "every object uploaded exactly once");
        List<String> expected = new ArrayList<>();
        for (String id : ids) {
            expected.addAll(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"));
        }
        assertEquals(expected, bucket.iter(""));
        assertEquals(Set.copyOf(ids), shipper.uploaded());
        assertEquals(0, shipper.sync().uploaded());
    }
}
