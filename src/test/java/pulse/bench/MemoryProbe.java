package pulse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory run's samples (the app's jar as its own JVM, see {@link JarPhases#memory}) and what they say: its
 * resident set from {@code /proc/<pid>/status} and its heap from {@code /observe/metrics}, a sample a second.
 */
final class MemoryProbe {

    /** One sample: seconds since the launch, RSS and heap used in bytes (-1: unknown). */
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

    /** The memory run's target for the app's resident set: what a 512 MB box leaves it. */
    static final long TARGET_RSS_BYTES = 512_000_000L;

    static long mib(long bytes) {
        return bytes < 0 ? -1 : bytes / (1024 * 1024);
    }

    /** Bytes in MiB, rounded to a tenth: whole MiB hide whether 488 MiB is under 512 MB (488.28 MiB) or not. */
    static double mibTenths(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes * 10.0 / (1024 * 1024)) / 10.0;
    }

    /** Whether a max RSS meets {@link #TARGET_RSS_BYTES}, judged on the bytes; null when unknown. */
    static Boolean underTarget(long maxRssBytes) {
        return maxRssBytes > 0 ? maxRssBytes < TARGET_RSS_BYTES : null;
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
}
