package io.jreceive.shipper;

import io.jreceive.testing.MinioProcess;
import io.jreceive.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shipper over a real MinIO server forked from the binary {@code tools/peers.sh} builds: MinIO has its own
 * checksum handling, multipart rules and error codes, which S3Proxy does not imitate.
 */
class MinioProcessShipperIT extends S3ShipperContract {
    private static MinioProcess minio;

    @BeforeAll
    static void startMinio() throws Exception {
        minio = MinioProcess.create();
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.close();
        }
    }

    @Override
    S3Server server() {
        return minio;
    }
}
