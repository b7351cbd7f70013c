package io.jreceive.objstore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * A bucket in Amazon S3 or an S3-compatible store, over the AWS SDK v2 synchronous client and the JDK's
 * {@code HttpURLConnection} transport. Files up to {@code part_size} go up in one PutObject; larger ones as a
 * multipart upload of {@code part_size} parts (more if S3's 10,000-part limit requires), aborted when a part fails.
 * Each request is retried by the SDK's standard strategy (exponential backoff with jitter) up to
 * {@code max_retries} times, or twice when 0. See {@link S3Config} for how each setting is applied.
 */
public final class S3Bucket implements Bucket {
    /** S3's limit on the number of parts of one multipart upload. */
    static final int MAX_PARTS = 10_000;
    /** Attempts per request when {@code max_retries} is 0: the SDK's standard default of 3. */
    static final int DEFAULT_ATTEMPTS = 3;

    /** First backoff of {@link #transport} retries, doubled per attempt. */
    static final long BASE_BACKOFF_MS = 100;
    /** Longest backoff of {@link #transport} retries. */
    static final long MAX_BACKOFF_MS = 5_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Config config;
    private final int attempts;
    private final SdkHttpClient http;
    private final S3Client client;
    private final String storageClass;
    private final Map<String, String> metadata;

    /** Builds the client for {@code config}; no request is sent until the first call. */
    public S3Bucket(S3Config config) {
        this.config = config;
        this.attempts = attempts(config);
        this.http = httpClient(config);
        this.client = clientBuilder(config).httpClient(http).build();
        String sc = null;
        Map<String, String> md = new HashMap<>();
        for (Map.Entry<String, String> e : config.putUserMetadata().entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals("x-amz-storage-class")) {
                sc = e.getValue();
            } else {
                md.put(e.getKey(), e.getValue());
            }
        }
        this.storageClass = sc;
        this.metadata = Map.copyOf(md);
    }

    /**
     * Drops {@code Expect: 100-continue} from a request without content: SDK 2.31 puts it on every PutObject and
     * UploadPart (RFC 9110 forbids it on an empty one; fixed upstream in aws-sdk-java-v2 PR 6465), and a server that
     * then answers without a {@code 100} may close the connection. Client interceptors run after the SDK's own.
     */
    private static final ExecutionInterceptor NO_EXPECT_WITHOUT_BODY = new ExecutionInterceptor() {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            SdkHttpRequest request = context.httpRequest();
            boolean empty = request.firstMatchingHeader("Content-Length").map("0"::equals).orElse(false);
            return empty ? request.toBuilder().removeHeader("Expect").build() : request;
        }
    };

    /**
     * The client settings derived from {@code config}, without the HTTP client. Bodies go up plain, never
     * {@code aws-chunked}: over plain HTTP the SDK would otherwise sign each 128 KiB chunk and end the body with a
     * signed empty chunk, which some servers (S3Proxy 4.1) leave unread once they have the decoded length; Jetty then
     * resets the connection while the client still writes, or closes it under the next request, retries included.
     * A plain body is hashed whole before it is sent, the same SHA-256 work, plus one more read from the page cache.
     */
    private static S3ClientBuilder clientBuilder(S3Config config) {
        int attempts = attempts(config);
        boolean whenSupported = config.checksumMode() == S3Config.ChecksumMode.WHEN_SUPPORTED;
        S3ClientBuilder b = S3Client.builder()
                .endpointOverride(URI.create((config.insecure() ? "http://" : "https://") + config.endpoint()))
                .region(region(config))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(credentials(config))
                .requestChecksumCalculation(whenSupported
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(whenSupported
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .overrideConfiguration(o -> o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts).build())
                        .addExecutionInterceptor(NO_EXPECT_WITHOUT_BODY));
        if (config.awsEndpoint() && config.region().isEmpty()) {
            b.crossRegionAccessEnabled(true);
        }
        return b;
    }

    /**
     * {@link S3Config#signingRegion()}, except that with {@code aws_sdk_auth} and no {@code region} the AWS SDK's
     * region chain ({@code AWS_REGION}, profile, instance metadata) is asked first, as the Go SDK does in Thanos.
     */
    private static Region region(S3Config config) {
        if (config.awsSdkAuth() && config.region().isEmpty()) {
            try {
                return new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkClientException e) {
                return Region.of(config.signingRegion());
            }
        }
        return Region.of(config.signingRegion());
    }

    private static int attempts(S3Config config) {
        return config.maxRetries() > 0 ? config.maxRetries() + 1 : DEFAULT_ATTEMPTS;
    }

    private static AwsCredentialsProvider credentials(S3Config c) {
        if (c.accessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(c.sessionToken().isEmpty()
                ? AwsBasicCredentials.create(c.accessKey(), c.secretKey())
                : AwsSessionCredentials.create(c.accessKey(), c.secretKey(), c.sessionToken()));
    }

    private static SdkHttpClient httpClient(S3Config c) {
        UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
                .socketTimeout(c.http().responseHeaderTimeout())
                .connectionTimeout(c.http().tlsHandshakeTimeout());
        Path ca = c.http().tls().caPath();
        if (ca != null) {
            TrustManager[] managers = trustManagers(ca);
            b.tlsTrustManagersProvider(() -> managers);
        }
        if (c.http().skipVerify()) {
            return b.buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build());
        }
        return b.build();
    }

    private static TrustManager[] trustManagers(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, cert);
            }
            if (n == 0) {
                throw new ObjstoreConfigException("http_config.tls_config.ca_file " + caFile
                        + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new ObjstoreConfigException("http_config.tls_config.ca_file " + caFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void upload(String key, Path file) throws IOException {
        long size = Files.size(file);
        try {
            if (!config.disableMultipart() && size > config.partSize()) {
                multipart(key, file, size);
            } else {
                PutObjectRequest.Builder req = PutObjectRequest.builder()
                        .bucket(config.bucket()).key(key).contentLength(size);
                if (config.sendContentMd5()) {
                    req.contentMD5(md5(file, 0, size));
                }
                encryption(req);
                if (storageClass != null) {
                    req.storageClass(storageClass);
                }
                if (!metadata.isEmpty()) {
                    req.metadata(metadata);
                }
                PutObjectRequest put = req.build();
                transport(() -> client.putObject(put, RequestBody.fromFile(file)));
            }
        } catch (SdkException | UncheckedIOException e) {
            throw failure("upload", key, e);
        }
    }

    private void multipart(String key, Path file, long size) throws IOException {
        long partSize = Math.max(config.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(config.bucket()).key(key);
        if (config.sse().type() == S3Config.SseType.SSE_S3) {
            create.serverSideEncryption(ServerSideEncryption.AES256);
        } else if (config.sse().type() == S3Config.SseType.SSE_KMS) {
            create.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(config.sse().kmsKeyId());
            String context = kmsContext();
            if (context != null) {
                create.ssekmsEncryptionContext(context);
            }
        }
        if (storageClass != null) {
            create.storageClass(storageClass);
        }
        if (!metadata.isEmpty()) {
            create.metadata(metadata);
        }
        CreateMultipartUploadRequest createRequest = create.build();
        String uploadId = transport(() -> client.createMultipartUpload(createRequest)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                long length = Math.min(partSize, size - offset);
                UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(config.bucket()).key(key)
                        .uploadId(uploadId).partNumber(number).contentLength(length);
                if (config.sendContentMd5()) {
                    part.contentMD5(md5(file, offset, length));
                }
                UploadPartRequest partRequest = part.build();
                String etag;
                try (FileSlice slice = new FileSlice(file, offset, length)) {
                    etag = transport(() -> client.uploadPart(partRequest,
                            RequestBody.fromContentProvider(slice, length, "application/octet-stream"))).eTag();
                }
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            transport(() -> client.completeMultipartUpload(b -> b.bucket(config.bucket()).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            try {
                client.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private void encryption(PutObjectRequest.Builder req) throws IOException {
        if (config.sse().type() == S3Config.SseType.SSE_S3) {
            req.serverSideEncryption(ServerSideEncryption.AES256);
        } else if (config.sse().type() == S3Config.SseType.SSE_KMS) {
            req.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(config.sse().kmsKeyId());
            String context = kmsContext();
            if (context != null) {
                req.ssekmsEncryptionContext(context);
            }
        }
    }

    /** The KMS encryption context as S3 wants it: base64 of its JSON object, or null when empty. */
    private String kmsContext() throws IOException {
        if (config.sse().kmsEncryptionContext().isEmpty()) {
            return null;
        }
        try {
            byte[] json = JSON.writeValueAsBytes(new TreeMap<>(config.sse().kmsEncryptionContext()));
            return Base64.getEncoder().encodeToString(json);
        } catch (JsonProcessingException e) {
            throw new IOException("encode kms_encryption_context", e);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            transport(() -> client.headObject(b -> b.bucket(config.bucket()).key(key)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("exists", key, e);
        } catch (SdkException | UncheckedIOException e) {
            throw failure("exists", key, e);
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        try {
            return transport(() -> client.getObject(b -> b.bucket(config.bucket()).key(key)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key, null, "no such object in bucket " + config.bucket());
        } catch (SdkException | UncheckedIOException e) {
            throw failure("get", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            transport(() -> client.deleteObject(b -> b.bucket(config.bucket()).key(key)));
        } catch (NoSuchKeyException e) {
            // Already gone: deleting is idempotent.
        } catch (SdkException | UncheckedIOException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public List<String> iter(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            if (config.listObjectsVersion().equals("v1")) {
                String marker = null;
                ListObjectsResponse page;
                do {
                    String from = marker;
                    page = transport(() -> client.listObjects(b -> b.bucket(config.bucket()).prefix(prefix)
                            .marker(from)));
                    for (S3Object o : page.contents()) {
                        keys.add(o.key());
                        marker = o.key();
                    }
                } while (Boolean.TRUE.equals(page.isTruncated()) && marker != null);
            } else {
                String token = null;
                ListObjectsV2Response page;
                do {
                    String from = token;
                    page = transport(() -> client.listObjectsV2(b -> b.bucket(config.bucket()).prefix(prefix)
                            .continuationToken(from)));
                    for (S3Object o : page.contents()) {
                        keys.add(o.key());
                    }
                    token = page.nextContinuationToken();
                } while (Boolean.TRUE.equals(page.isTruncated()) && token != null);
            }
        } catch (SdkException | UncheckedIOException e) {
            throw failure("iter", prefix, e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public String name() {
        return config.bucket();
    }

    @Override
    public void close() {
        client.close();
        http.close();
    }

    private IOException failure(String op, String key, RuntimeException e) {
        return new IOException("s3 " + op + " " + config.bucket() + "/" + key + ": " + e.getMessage(), e);
    }

    /**
     * Runs one SDK call, repeating it when the JDK transport fails with an {@link UncheckedIOException}: AWS SDK 2.31's
     * URL-connection client wraps some socket errors (a pooled connection the server closed, met while awaiting
     * {@code 100 Continue}) that way, and its retry stage only retries {@code SdkException}s and
     * {@code IOException}s. Attempts and backoff follow {@code max_retries} as the SDK's own retries do.
     */
    private <T> T transport(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (UncheckedIOException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                long backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << (attempt - 1));
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Base64 MD5 of {@code length} bytes of {@code file} from {@code offset}, for the Content-MD5 header. */
    private static String md5(Path file, long offset, long length) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException(file + " shrank while uploading: ends before " + end);
                }
                md.update(buf.flip());
                pos += n;
            }
        }
        return Base64.getEncoder().encodeToString(md.digest());
    }

    /**
     * The bytes {@code [offset, offset+length)} of a file as a request body the SDK can re-read on retry: each
     * {@link #newStream()} closes the previous stream and opens a fresh one.
     */
    private static final class FileSlice implements ContentStreamProvider, AutoCloseable {
        private final Path file;
        private final long offset;
        private final long length;
        private InputStream open;

        FileSlice(Path file, long offset, long length) {
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public InputStream newStream() {
            try {
                close();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ).position(offset);
                open = new Bounded(Channels.newInputStream(ch), length);
                return open;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            if (open != null) {
                open.close();
                open = null;
            }
        }
    }

    /** Reads at most {@code remaining} bytes of the wrapped stream. */
    private static final class Bounded extends FilterInputStream {
        private long remaining;

        Bounded(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
