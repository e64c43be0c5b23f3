package pulse.embedded.mongo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded store's page cache follows the heap: H2's default from 512 MB up, a 32nd below, at least 4 MB. */
class EmbeddedMongoBackendTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void pageCacheIsA32ndOfASmallHeapAndH2sDefaultFromHalfAGigabyteUp() {
        assertThat(EmbeddedMongoBackend.pageCacheMegabytes(64 * MIB)).isEqualTo(4);
        assertThat(EmbeddedMongoBackend.pageCacheMegabytes(128 * MIB)).isEqualTo(4);
        assertThat(EmbeddedMongoBackend.pageCacheMegabytes(256 * MIB)).isEqualTo(8);
        assertThat(EmbeddedMongoBackend.pageCacheMegabytes(512 * MIB)).isEqualTo(16);
        assertThat(EmbeddedMongoBackend.pageCacheMegabytes(4096 * MIB)).isEqualTo(16);
    }

    @Test
    void theFileStoreIsOpenedWithThatCache() {
        EmbeddedMongoBackend backend = new EmbeddedMongoBackend(dir.resolve("cache.mv").toString(), 8);
        try {
            assertThat(backend.getMvStore().getCacheSize()).isEqualTo(8);
        } finally {
            backend.close();
        }
    }
}
