package pulse.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time so far of a JVM process (this one, or a child the benchmark started): the whole process, and the threads
 * no MXBean reports, the JIT compilers and the garbage collector. Read from Linux's {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/task/<tid>/stat}, threads by name (HotSpot names them; the kernel keeps 15 characters). A
 * compiler thread HotSpot retires takes its time with it, so the JIT's share is a lower bound; the process total
 * keeps the time of ended threads.
 */
record JvmThreadCpu(long jitNanos, long gcNanos, long totalNanos) {

    /** The kernel's clock tick (USER_HZ), 100 on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final JvmThreadCpu NONE = new JvmThreadCpu(0, 0, 0);

    static boolean isAvailable() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** This JVM now; zeros where {@code /proc} is not there. */
    static JvmThreadCpu now() {
        return of("self");
    }

    /** Process {@code pid} now; zeros where {@code /proc} is not there or the process is gone. */
    static JvmThreadCpu of(long pid) {
        return of(Long.toString(pid));
    }

    /** Only the process's total, in nanoseconds (one file read); 0 where it cannot be read. */
    static long processNanos(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static JvmThreadCpu of(String pid) {
        Path proc = Path.of("/proc", pid);
        if (!Files.isDirectory(proc.resolve("task"))) {
            return NONE;
        }
        long total;
        try {
            total = ticks(Files.readString(proc.resolve("stat")));
        } catch (IOException | RuntimeException gone) {
            return NONE;
        }
        long jitTicks = 0;
        long gcTicks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue; // the thread ended since the listing
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    jitTicks += ticks(stat);
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gcTicks += ticks(stat);
                }
            }
        } catch (IOException | RuntimeException gone) {
            return new JvmThreadCpu(0, 0, total * NANOS_PER_TICK);
        }
        return new JvmThreadCpu(jitTicks * NANOS_PER_TICK, gcTicks * NANOS_PER_TICK, total * NANOS_PER_TICK);
    }

    /** utime + stime of a {@code stat} line: after the name, state is field 3, they are fields 14 and 15 (proc(5)). */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    JvmThreadCpu since(JvmThreadCpu start) {
        return new JvmThreadCpu(jitNanos - start.jitNanos, gcNanos - start.gcNanos, totalNanos - start.totalNanos);
    }
}
