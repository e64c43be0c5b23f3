package pulse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time so far of this JVM's own threads, which no MXBean reports: the JIT compilers and the garbage collector.
 * Read from Linux's {@code /proc/self/task/<tid>/stat} by thread name (HotSpot names them; the kernel keeps 15
 * characters). A compiler thread HotSpot retires takes its time with it, so the JIT's share is a lower bound.
 */
record JvmThreadCpu(long jitNanos, long gcNanos) {

    /** The kernel's clock tick (USER_HZ), 100 on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path TASKS = Path.of("/proc/self/task");

    static boolean isAvailable() {
        return Files.isDirectory(TASKS);
    }

    /** Now; zeros where {@code /proc} is not there. */
    static JvmThreadCpu now() {
        if (!isAvailable()) {
            return new JvmThreadCpu(0, 0);
        }
        long jitTicks = 0;
        long gcTicks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue; // the thread ended since the listing
                }
                int nameEnd = stat.lastIndexOf(')');
                String name = stat.substring(stat.indexOf('(') + 1, nameEnd);
                // after the name: state is field 3, utime and stime are fields 14 and 15 (proc(5))
                String[] fields = stat.substring(nameEnd + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    jitTicks += ticks;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gcTicks += ticks;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JvmThreadCpu(jitTicks * NANOS_PER_TICK, gcTicks * NANOS_PER_TICK);
    }

    JvmThreadCpu since(JvmThreadCpu start) {
        return new JvmThreadCpu(jitNanos - start.jitNanos, gcNanos - start.gcNanos);
    }
}
