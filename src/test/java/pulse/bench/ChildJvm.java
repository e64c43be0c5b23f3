package pulse.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark started ({@code java [options] -cp ... Main} or {@code java [options] -jar app.jar}), its
 * output in a log file. It is stopped like an operator does (SIGTERM, then SIGKILL after a grace period) and killed
 * when the benchmark's JVM exits.
 */
final class ChildJvm implements AutoCloseable {

    final String name;
    final Process process;
    final Path log;
    /** System.nanoTime() just before the process was started. */
    final long launchNanos;
    private final Thread reaper;

    private ChildJvm(String name, Process process, Path log, long launchNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.launchNanos = launchNanos;
        this.reaper = new Thread(process::destroyForcibly, "benchmark-" + name + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** {@code java <jvmOptions> <args>} with its output in {@code log}, started in {@code workDir}. */
    static ChildJvm start(String name, List<String> jvmOptions, List<String> args, Path workDir, Path log)
            throws IOException {
        return start(name, Map.of(), jvmOptions, args, workDir, log);
    }

    /** The same with {@code environment} added to the benchmark's own environment. */
    static ChildJvm start(String name, Map<String, String> environment, List<String> jvmOptions, List<String> args,
                          Path workDir, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(args);
        Files.createDirectories(workDir);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long launch = System.nanoTime();
        return new ChildJvm(name, builder.start(), log, launch);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    JvmThreadCpu cpu() {
        return JvmThreadCpu.of(process.pid());
    }

    /** Fails, naming the log, when the process has exited. */
    void assertAlive(String during) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + " " + during + "; see " + log);
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}; the exit code, or Integer.MIN_VALUE when it did not exit. */
    int stop(int graceSeconds) {
        try {
            process.destroy();
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                Benchmark.say("[%s] did not stop within %d s of SIGTERM; killing it", name, graceSeconds);
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        return process.isAlive() ? Integer.MIN_VALUE : process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(45);
        }
    }

    /**
     * The class path this benchmark runs with, for a child JVM of its own classes: the URLs of the class loader that
     * loaded it where that is a URLClassLoader (exec:java), else {@code java.class.path} (surefire, failsafe, a plain
     * {@code java -cp}).
     */
    static String classPath() {
        ClassLoader loader = ChildJvm.class.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new IllegalStateException("Cannot turn " + url + " into a class path entry", e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
