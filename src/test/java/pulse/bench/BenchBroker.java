package pulse.bench;

import pulse.embedded.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark's Kafka broker as its own JVM: the project's KRaft broker ({@link EmbeddedKafka}, the one the app
 * embeds), so that the benchmark's clients, the app's JVM and the broker each have their own process and their own
 * CPU time. Writes {@code ready} into its log directory's parent once it answers, and stops when its standard input
 * closes (the benchmark ended, however it ended) or on SIGTERM.
 * <p>
 * Arguments: {@code <log dir> <host> <port> <controller port>}.
 */
public final class BenchBroker {

    private BenchBroker() {
    }

    public static void main(String[] args) throws IOException {
        Path logDir = Path.of(args[0]);
        EmbeddedKafka kafka = EmbeddedKafka.start(logDir, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                "port");
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "bench-broker-stop"));
        Files.write(readyFile(logDir), List.of(kafka.bootstrapServers()));
        while (System.in.read() != -1) {
            // nothing is sent; end of input means the benchmark is gone
        }
        System.exit(0);
    }

    static Path readyFile(Path logDir) {
        return logDir.toAbsolutePath().getParent().resolve("broker.ready");
    }

    /** Starts the broker JVM and waits until it is ready (at most {@code timeoutSeconds}). */
    static ChildJvm start(Path logDir, int port, int controllerPort, Path log, int timeoutSeconds) throws Exception {
        Files.deleteIfExists(readyFile(logDir));
        // the heap and collector settings of Kafka's own kafka-server-start.sh and kafka-run-class.sh
        List<String> options = List.of("-Xmx1g", "-Xms1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
                "-cp", ChildJvm.classPath());
        ChildJvm broker = ChildJvm.start("broker", options, List.of(BenchBroker.class.getName(),
                logDir.toAbsolutePath().toString(), "127.0.0.1", String.valueOf(port), String.valueOf(controllerPort)),
                logDir.toAbsolutePath().getParent(), log);
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!Files.exists(readyFile(logDir))) {
            if (!broker.isAlive()) {
                throw new IllegalStateException("The broker JVM exited with " + broker.process.exitValue()
                        + " before it was ready; see " + log);
            }
            if (System.nanoTime() > deadline) {
                broker.stop(10);
                throw new IllegalStateException("The broker JVM was not ready within " + timeoutSeconds + " s; see " + log);
            }
            Thread.sleep(100); // polling for a file the child writes once it answers
        }
        return broker;
    }
}
