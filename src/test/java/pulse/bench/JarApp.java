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

/**
 * Interaction Pulse as users run it: {@code java [options] -Dkey=value ... -jar target/interaction-pulse.jar}, its
 * own JVM, its output in a log file, read from outside through its {@code /observe/metrics} endpoint and
 * {@code /proc}.
 */
final class JarApp implements AutoCloseable {

    // HTTP/1.1 only: the app's Vert.x server does not answer the JDK client's h2c upgrade
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final ChildJvm jvm;
    final Map<String, String> properties;
    private final int managementPort;

    private JarApp(ChildJvm jvm, Map<String, String> properties) {
        this.jvm = jvm;
        this.properties = properties;
        this.managementPort = Integer.parseInt(properties.get("camel.management.port"));
    }

    /**
     * @param properties the app's properties, as {@code -D} options; {@code camel.management.port} must be among them
     */
    static JarApp start(String name, Path jar, List<String> javaOptions, Map<String, String> properties, Path workDir,
                        Path log) throws IOException {
        return start(name, jar, Map.of(), javaOptions, properties, workDir, log);
    }

    /** The same with {@code environment} added to the benchmark's own environment (e.g. MALLOC_ARENA_MAX). */
    static JarApp start(String name, Path jar, Map<String, String> environment, List<String> javaOptions,
                        Map<String, String> properties, Path workDir, Path log) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; build it first with: mvn -q package -DskipTests");
        }
        List<String> options = new ArrayList<>(javaOptions);
        properties.forEach((key, value) -> options.add("-D" + key + "=" + value));
        ChildJvm jvm = ChildJvm.start(name, environment, options, List.of("-jar", jar.toAbsolutePath().toString()),
                workDir, log);
        StringBuilder env = new StringBuilder();
        environment.forEach((key, value) -> env.append(key).append('=').append(value).append(' '));
        Benchmark.say("[%s] started the app as pid %d: %sjava %s-D... -jar %s (log: %s)", name, jvm.pid(), env,
                javaOptions.isEmpty() ? "" : String.join(" ", javaOptions) + " ", jar, log);
        return new JarApp(jvm, new LinkedHashMap<>(properties));
    }

    long pid() {
        return jvm.pid();
    }

    /** Every sample of the app's metrics by series ({@code name{labels}}), or null while the endpoint does not answer. */
    Map<String, Double> metrics() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? parse(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Prometheus' text format: {@code name{labels} value [timestamp]} per line, comments skipped. */
    static Map<String, Double> parse(String exposition) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            // label values may hold spaces: the value follows the last '}' when there are labels
            int brace = line.lastIndexOf('}');
            int split = brace >= 0 ? brace + 1 : line.indexOf(' ');
            if (split <= 0) {
                continue;
            }
            String[] rest = line.substring(split).trim().split("\\s+");
            try {
                values.put(line.substring(0, split).trim(), Double.parseDouble(rest[0]));
            } catch (NumberFormatException e) {
                // not a sample
            }
        }
        return values;
    }

    /** The sum of every series of metric {@code name} whose labels contain {@code labelPart} (NaN: none). */
    static double sum(Map<String, Double> metrics, String name, String labelPart) {
        double sum = 0;
        boolean seen = false;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String series = e.getKey();
            if ((series.equals(name) || series.startsWith(name + "{")) && series.contains(labelPart)) {
                sum += e.getValue();
                seen = true;
            }
        }
        return seen ? sum : Double.NaN;
    }

    static double value(Map<String, Double> metrics, String name) {
        return metrics == null ? Double.NaN : sum(metrics, name, "");
    }

    @Override
    public void close() {
        jvm.close();
    }
}
