package pulse.embedded.mongo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.h2.mvstore.DataUtils;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

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

    /**
     * A store H2 gave up (its panic) that nothing has committed since: H2's own close commits, and that commit closes
     * the store from inside the close, where it spins forever. The app's stop must end, without an error.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // the spin ignores interrupts
    void closingAStoreThatPanickedEndsWithoutAnError() {
        EmbeddedMongoBackend backend = new EmbeddedMongoBackend(dir.resolve("panicked.mv").toString(), 8);
        catchThrowable(() -> backend.getMvStore().panic(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
                "simulated: {0}", "java.lang.OutOfMemoryError: Java heap space")));
        assertThat(backend.storeClosedItself()).isTrue();
        assertThatCode(backend::close).doesNotThrowAnyException();
        assertThat(backend.getMvStore().isClosed()).isTrue();
    }
}
