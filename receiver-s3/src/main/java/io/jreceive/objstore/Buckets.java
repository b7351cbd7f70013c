package io.jreceive.objstore;

/** Builds the {@link Bucket} an {@link ObjstoreConfig} describes. */
public final class Buckets {
    private Buckets() {
    }

    /** Opens the bucket, under the config's {@code prefix} when it has one. No request is sent yet. */
    public static Bucket create(ObjstoreConfig config) {
        Bucket bucket;
        if (config.provider() instanceof S3Config s3) {
            bucket = new S3Bucket(s3);
        } else {
            bucket = new FilesystemBucket(((FilesystemConfig) config.provider()).directory());
        }
        return config.prefix().isEmpty() ? bucket : new PrefixedBucket(bucket, config.prefix());
    }
}
