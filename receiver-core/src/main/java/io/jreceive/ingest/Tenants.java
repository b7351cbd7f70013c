package io.jreceive.ingest;

/**
 * Tenant names as Thanos accepts them: the name must equal its own {@code path.Base}, i.e. contain no {@code /};
 * jreceive also refuses {@code .}, {@code ..}, NUL and backslash, which would name other directories.
 */
final class Tenants {
    private Tenants() {
    }

    static boolean valid(String tenant) {
        return !tenant.isEmpty() && !tenant.equals(".") && !tenant.equals("..") && tenant.indexOf('/') < 0
                && tenant.indexOf('\\') < 0 && tenant.indexOf('\0') < 0;
    }
}
