package io.jreceive.shipper;

import io.jreceive.testing.S3ProxyFixture;
import io.jreceive.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shipper over an in-process S3Proxy. */
class S3ShipperTest extends S3ShipperContract {
    private static S3ProxyFixture s3;

    @BeforeAll
    static void startProxy() throws Exception {
        s3 = S3ProxyFixture.create();
    }

    @AfterAll
    static void stopProxy() {
        s3.close();
    }

    @Override
    S3Server server() {
        return s3;
    }
}
