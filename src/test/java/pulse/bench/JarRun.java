package pulse.bench;

import java.util.List;

/**
 * What one run of the app's jar as its own process on a pre-filled topic measured, read from outside: times from
 * the process's launch, CPU time of the app's and the broker's processes from {@code /proc}, and a sample a second.
 *
 * @param records       records on the topic
 * @param done          records done at the end (aggregated, or on the dead-letter topic)
 * @param complete      whether every record was done before the deadline
 * @param joinSeconds   launch to the first partition assignment in the app's consumer group (its first fetch follows)
 * @param endSeconds    launch to the last record done
 * @param app           the app's CPU time from its launch to the end
 * @param brokerCpuNanos the broker's CPU time over the same span
 * @param samples       one a second from the launch
 * @param maxRss        the app's largest resident set seen, bytes
 */
record JarRun(long records, long done, boolean complete, double joinSeconds, double endSeconds, JvmThreadCpu app,
              long brokerCpuNanos, List<Sample> samples, long maxRss) {

    /**
     * @param t        seconds since the launch
     * @param app      the app's CPU time so far
     * @param brokerCpuNanos the broker's CPU time since the launch
     * @param progress records taken in by the app so far (aggregated plus held in folds; or dead-lettered), NaN
     *                 while unknown
     * @param rss      the app's resident set, bytes
     */
    record Sample(double t, JvmThreadCpu app, long brokerCpuNanos, double progress, long rss) {
    }

    /**
     * Where steady state begins, and what it measured from there to the end; {@code jitShare}: the JIT compiler
     * threads' share of the app's CPU time over that span (below the threshold, since every window in it is).
     */
    record Steady(Sample from, double rate, double appCpuMicrosPerEvent, double brokerCpuMicrosPerEvent, double seconds,
                  double jitShare) {
    }

    double launchRate() {
        return done / endSeconds;
    }

    double joinRate() {
        return Double.isNaN(joinSeconds) ? Double.NaN : done / (endSeconds - joinSeconds);
    }

    double appCpuMicrosPerRecord() {
        return app.totalNanos() / 1e3 / done;
    }

    double brokerCpuMicrosPerRecord() {
        return brokerCpuNanos / 1e3 / done;
    }

    /**
     * Steady state: from the end of the LAST {@code window}-second window (one ending at each sample) in which the JIT
     * compiler threads took {@code maxJitShare} or more of the app's CPU time, to the end of the run; so every window
     * after its start is below that share. Not before the group join (no progress is known before it). Null when the
     * run did not complete, when the JIT's last busy window ends less than {@code minSeconds} before the end (it never
     * settled), or when the app's progress at the start is unknown.
     */
    Steady steady(double maxJitShare, int window, double minSeconds) {
        if (!complete || Double.isNaN(joinSeconds)) {
            return null;
        }
        int firstAfterJoin = -1;
        int lastJitBusy = -1; // the sample that ends the last window with the JIT at or over the share
        for (int i = 0; i < samples.size(); i++) {
            if (firstAfterJoin < 0 && samples.get(i).t() >= joinSeconds) {
                firstAfterJoin = i;
            }
            if (i >= window) {
                JvmThreadCpu recent = samples.get(i).app().since(samples.get(i - window).app());
                if (recent.totalNanos() > 0 && (double) recent.jitNanos() / recent.totalNanos() >= maxJitShare) {
                    lastJitBusy = i;
                }
            }
        }
        if (firstAfterJoin < 0) {
            return null;
        }
        int start = Math.max(firstAfterJoin, lastJitBusy);
        Sample s = samples.get(start);
        double seconds = endSeconds - s.t();
        if (Double.isNaN(s.progress()) || seconds < minSeconds || s.progress() >= done) {
            return null;
        }
        double events = done - s.progress();
        JvmThreadCpu appCpu = app.since(s.app());
        return new Steady(s, events / seconds, appCpu.totalNanos() / 1e3 / events,
                (brokerCpuNanos - s.brokerCpuNanos()) / 1e3 / events, seconds,
                appCpu.totalNanos() == 0 ? Double.NaN : (double) appCpu.jitNanos() / appCpu.totalNanos());
    }

    /** The JIT's and the GC's shares of the app's CPU time over the whole run. */
    double jitShare() {
        return app.totalNanos() == 0 ? Double.NaN : (double) app.jitNanos() / app.totalNanos();
    }

    double gcShare() {
        return app.totalNanos() == 0 ? Double.NaN : (double) app.gcNanos() / app.totalNanos();
    }
}
