package pulse.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runnable jars of different commits compared end to end ({@code --compare-jar label=path}, repeatable): each jar
 * on the same pre-filled topic, in turn, for {@code --compare-rounds} rounds (A B A B ...), so that the machine's
 * drift over the session falls on every jar alike. Each run is checked against the ground truth like the main row.
 * Per jar: the mean rate from the launch and from the group join and the app's CPU time per event, the spread of
 * its own runs (the noise), and the ratio of its means to the first jar's.
 */
final class JarComparison {

    private final Benchmark b;
    private final BenchmarkOptions o;
    private final Report report;
    private final JarPhases jar;

    JarComparison(Benchmark benchmark, JarPhases jar) {
        this.b = benchmark;
        this.o = benchmark.options();
        this.report = benchmark.report();
        this.jar = jar;
    }

    void run(BenchEvents events) throws Exception {
        JarPhases.Shape shape = new JarPhases.Shape("default", Benchmark.E2E_TOPIC, Map.of());
        Map<String, List<JarRun>> runs = new LinkedHashMap<>();
        o.compareJars.keySet().forEach(label -> runs.put(label, new ArrayList<>()));
        for (int round = 1; round <= o.compareRounds; round++) {
            for (Map.Entry<String, Path> entry : o.compareJars.entrySet()) {
                String label = entry.getKey();
                String key = "compare." + label + ".r" + round;
                String load = Report.loadAverage();
                JarRun run = jar.endToEnd(shape, events.count(), () -> new pulse.it.GroundTruth(events), entry.getValue(),
                        key, "", o.appJavaOptions, JarPhases.Rows.COMPACT);
                runs.get(label).add(run);
                JarRun.Steady steady = JarPhases.steady(run);
                report.row(String.format(Locale.ROOT, "compare %s, round %d (load average before %s): launch / join /"
                                + " steady / app CPU", label, round, load),
                        String.format(Locale.ROOT, "%,.0f / %,.0f / %s / %.2f us", run.launchRate(), run.joinRate(),
                                steady == null ? "-" : String.format(Locale.ROOT, "%,.0f", steady.rate()),
                                run.appCpuMicrosPerRecord()), "events/s", "(info)", "", null);
            }
        }
        Stats first = null;
        for (Map.Entry<String, List<JarRun>> entry : runs.entrySet()) {
            Stats stats = Stats.of(entry.getValue());
            String key = "compare." + entry.getKey();
            boolean reference = first == null;
            if (reference) {
                first = stats;
            }
            report.row(String.format(Locale.ROOT, "compare %s (%s): mean of %d runs, launch / join / app CPU; spread"
                                    + " of its runs (max/min - 1) %.0f%% / %.0f%% / %.0f%%", entry.getKey(),
                            o.compareJars.get(entry.getKey()), entry.getValue().size(), 100 * stats.launchSpread,
                            100 * stats.joinSpread, 100 * stats.cpuSpread),
                    String.format(Locale.ROOT, "%,.0f / %,.0f / %.2f us", stats.launch, stats.join, stats.cpu),
                    "events/s", reference ? "(reference)" : "(info)", reference ? "" : Report.ratio(stats.launch
                            / first.launch) + " / " + Report.ratio(stats.join / first.join) + " / "
                            + Report.ratio(stats.cpu / first.cpu), null);
            report.value(key + ".launchPerSecondMean", Report.round(stats.launch, 0));
            report.value(key + ".joinPerSecondMean", Report.round(stats.join, 0));
            report.value(key + ".appCpuMicrosPerRecordMean", Report.round(stats.cpu, 2));
            report.value(key + ".launchSpread", Report.round(stats.launchSpread, 3));
            report.value(key + ".joinSpread", Report.round(stats.joinSpread, 3));
            report.value(key + ".appCpuSpread", Report.round(stats.cpuSpread, 3));
            if (!reference) {
                report.value(key + ".launchRatioToFirst", Report.round(stats.launch / first.launch, 3));
                report.value(key + ".joinRatioToFirst", Report.round(stats.join / first.join, 3));
                report.value(key + ".appCpuRatioToFirst", Report.round(stats.cpu / first.cpu, 3));
            }
        }
    }

    /** The mean of a jar's runs, and how far apart they lie: max/min - 1. */
    private record Stats(double launch, double join, double cpu, double launchSpread, double joinSpread,
                         double cpuSpread) {
        static Stats of(List<JarRun> runs) {
            double launch = 0;
            double join = 0;
            double cpu = 0;
            double minLaunch = Double.MAX_VALUE;
            double maxLaunch = 0;
            double minJoin = Double.MAX_VALUE;
            double maxJoin = 0;
            double minCpu = Double.MAX_VALUE;
            double maxCpu = 0;
            for (JarRun run : runs) {
                launch += run.launchRate() / runs.size();
                join += run.joinRate() / runs.size();
                cpu += run.appCpuMicrosPerRecord() / runs.size();
                minLaunch = Math.min(minLaunch, run.launchRate());
                maxLaunch = Math.max(maxLaunch, run.launchRate());
                minJoin = Math.min(minJoin, run.joinRate());
                maxJoin = Math.max(maxJoin, run.joinRate());
                minCpu = Math.min(minCpu, run.appCpuMicrosPerRecord());
                maxCpu = Math.max(maxCpu, run.appCpuMicrosPerRecord());
            }
            return new Stats(launch, join, cpu, maxLaunch / minLaunch - 1, maxJoin / minJoin - 1, maxCpu / minCpu - 1);
        }
    }
}
