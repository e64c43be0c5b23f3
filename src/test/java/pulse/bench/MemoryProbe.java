package pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The app as a separate JVM ({@code java -Xmx256m -D... -jar target/interaction-pulse.jar}), sampled once a second:
 * its resident set from {@code /proc/<pid>/status} and its heap from {@code /observe/metrics}.
 */
final class MemoryProbe {

    /** One sample: seconds since the metrics endpoint first answered, RSS and heap used in bytes (-1: unknown). */
    record Sample(double t, long rss, long heap, double aggregated, double produced) {
    }

    /**
     * Max RSS and heap over all samples; the halves split the samples after the warm-up; rssSlope is the least-squares
     * slope of RSS after the warm-up, in bytes per second; produced and aggregated are counted over {@code seconds}.
     */
    record Result(List<Sample> samples, long maxRss, long maxHeap, long maxRssFirstHalf, long maxRssSecondHalf,
                  long maxHeapFirstHalf, long maxHeapSecondHalf, double rssSlope, double produced, double aggregated,
                  double seconds, int exitCode, Path log) {
    }

    // HTTP/1.1 only: the app's Vert.x server does not answer the JDK client's h2c upgrade
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static Result run(Path jar, String xmx, Map<String, String> properties, int seconds, int warmupSeconds, Path workDir,
                      Path log)
            throws IOException, InterruptedException {
        int management = Integer.parseInt(properties.get("camel.management.port"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + xmx);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread reaper = new Thread(process::destroyForcibly, "benchmark-memory-app-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        Benchmark.say("[memory] started the app as pid %d: java -Xmx%s -D... -jar %s (log: %s)", process.pid(), xmx, jar, log);
        List<Sample> samples = new ArrayList<>();
        int exitCode = Integer.MIN_VALUE;
        try {
            long started = System.nanoTime();
            long answering = 0;
            while (answering == 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The app exited with " + process.exitValue() + " before its metrics"
                            + " endpoint answered; see " + log);
                }
                if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("The app's metrics endpoint did not answer within 120 s; see " + log);
                }
                if (metrics(management) != null) {
                    answering = System.nanoTime();
                } else {
                    Thread.sleep(250);
                }
            }
            Benchmark.say("[memory] app up after %.1f s; sampling RSS and heap every second for %d s",
                    (answering - started) / 1e9, seconds);
            long end = answering + TimeUnit.SECONDS.toNanos(seconds);
            long nextReport = answering + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < end && process.isAlive()) {
                long tick = System.nanoTime();
                Map<String, Double> m = metrics(management);
                long heap = -1;
                double aggregated = Double.NaN;
                double produced = Double.NaN;
                if (m != null) {
                    heap = m.getOrDefault("heap", -1.0).longValue();
                    aggregated = m.getOrDefault("aggregated", Double.NaN);
                    produced = m.getOrDefault("produced", Double.NaN);
                }
                Sample sample = new Sample((tick - answering) / 1e9, rss(process.pid()), heap, aggregated, produced);
                samples.add(sample);
                if (tick >= nextReport) {
                    Benchmark.say("[memory] t=%2.0f s: RSS %d MiB, heap used %d MiB, produced %,.0f, aggregated %,.0f",
                            sample.t(), mib(sample.rss()), mib(sample.heap()), produced, aggregated);
                    nextReport += TimeUnit.SECONDS.toNanos(5);
                }
                long sleep = TimeUnit.SECONDS.toMillis(1) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tick);
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("The app exited with " + process.exitValue() + " during the memory run; see " + log);
            }
        } finally {
            process.destroy(); // SIGTERM: a clean stop
            if (!process.waitFor(45, TimeUnit.SECONDS)) {
                Benchmark.say("[memory] the app did not stop within 45 s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
            if (!process.isAlive()) {
                exitCode = process.exitValue();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        return summarize(samples, warmupSeconds, exitCode, log);
    }

    static Result summarize(List<Sample> samples, double warmup, int exitCode, Path log) {
        List<Sample> steady = samples.stream().filter(s -> s.t() >= warmup).toList();
        if (steady.size() < 4) {
            steady = samples; // too short a run for a warm-up
        }
        double from = steady.isEmpty() ? 0 : steady.get(0).t();
        double half = steady.isEmpty() ? 0 : (from + steady.get(steady.size() - 1).t()) / 2;
        long maxRss = -1;
        long maxHeap = -1;
        for (Sample s : samples) {
            maxRss = Math.max(maxRss, s.rss());
            maxHeap = Math.max(maxHeap, s.heap());
        }
        long rss1 = -1;
        long rss2 = -1;
        long heap1 = -1;
        long heap2 = -1;
        double n = 0;
        double sumT = 0;
        double sumR = 0;
        double sumTT = 0;
        double sumTR = 0;
        for (Sample s : steady) {
            if (s.t() < half) {
                rss1 = Math.max(rss1, s.rss());
                heap1 = Math.max(heap1, s.heap());
            } else {
                rss2 = Math.max(rss2, s.rss());
                heap2 = Math.max(heap2, s.heap());
            }
            if (s.rss() > 0) {
                n++;
                sumT += s.t();
                sumR += s.rss();
                sumTT += s.t() * s.t();
                sumTR += s.t() * s.rss();
            }
        }
        double slope = n < 2 ? Double.NaN : (n * sumTR - sumT * sumR) / (n * sumTT - sumT * sumT);
        List<Sample> counted = samples.stream().filter(s -> !Double.isNaN(s.produced()) && !Double.isNaN(s.aggregated())).toList();
        Sample first = counted.isEmpty() ? null : counted.get(0);
        Sample last = counted.isEmpty() ? null : counted.get(counted.size() - 1);
        double seconds = first == null ? Double.NaN : last.t() - first.t();
        double produced = first == null ? Double.NaN : last.produced() - first.produced();
        double aggregated = first == null ? Double.NaN : last.aggregated() - first.aggregated();
        return new Result(samples, maxRss, maxHeap, rss1, rss2, heap1, heap2, slope, produced, aggregated, seconds,
                exitCode, log);
    }

    static long mib(long bytes) {
        return bytes < 0 ? -1 : bytes / (1024 * 1024);
    }

    /** VmRSS of a process, in bytes, or -1. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return -1;
    }

    /** Heap used (summed over the heap pools) and the pipeline counters, or null while the endpoint does not answer. */
    private static Map<String, Double> metrics(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            double heap = 0;
            boolean sawHeap = false;
            for (String line : response.body().split("\n")) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += value(line);
                    sawHeap = true;
                } else if (line.startsWith("pulse_events_aggregated_total")) {
                    values.put("aggregated", value(line));
                } else if (line.startsWith("pulse_events_produced_total")) {
                    values.put("produced", value(line));
                }
            }
            if (sawHeap) {
                values.put("heap", heap);
            }
            return values;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The sample value of an exposition line {@code name{labels} value [timestamp]}; label values may hold spaces. */
    private static double value(String line) {
        int brace = line.lastIndexOf('}');
        String rest = (brace >= 0 ? line.substring(brace + 1) : line.substring(Math.max(0, line.indexOf(' ')))).trim();
        try {
            return Double.parseDouble(rest.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
