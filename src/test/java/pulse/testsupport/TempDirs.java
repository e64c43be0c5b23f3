package pulse.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directories the tests create outside JUnit's {@code @TempDir}: a broker's log dir, a benchmark's data. */
public final class TempDirs {

    private TempDirs() {
    }

    /** Deletes a directory and everything in it; what cannot be deleted (a file still open) stays, silently. */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover in the temp dir is no reason to fail a test
        }
    }
}
