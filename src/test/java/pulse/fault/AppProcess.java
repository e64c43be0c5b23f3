package pulse.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import pulse.testsupport.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One instance of the application as a separate JVM, started from the runnable jar
 * ({@code java -Dkey=value ... -jar target/interaction-pulse.jar}) with stdout and stderr in
 * {@code target/fault-logs/<name>.log}. It can be killed like a crash (SIGKILL) or stopped like an operator does
 * (SIGTERM). Any instance still alive when the test JVM exits is killed by a shutdown hook.
 */
final class AppProcess implements AutoCloseable {

    static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    static final Path JAR = BASEDIR.resolve("target").resolve("interaction-pulse.jar");
    static final Path LOG_DIR = BASEDIR.resolve("target").resolve("fault-logs");

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1 only: the JDK client's default h2c upgrade request is not answered by the app's Vert.x server
    // (NoSuchMethodError in its HTTP/2 handler with the Netty version the pom pins)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "fault-app-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final int managementPort;

    private AppProcess(String name, Process process, Path log, int managementPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    /**
     * @param name       names the log file; unique within a test run
     * @param properties passed as {@code -Dkey=value}; the HTTP ports and the data directory are added when absent
     */
    static AppProcess start(String name, Map<String, String> properties) {
        return start(name, properties, Map.of());
    }

    /**
     * @param environment added to this JVM's environment for the app, e.g. {@code MONGODB_URI=embedded}, or secrets
     *                    (how an operator hands them over: they do not show on the command line)
     */
    static AppProcess start(String name, Map<String, String> properties, Map<String, String> environment) {
        try {
            Files.createDirectories(LOG_DIR);
            Map<String, String> props = new LinkedHashMap<>(properties);
            props.putIfAbsent("camel.server.port", String.valueOf(FreePorts.next()));
            props.putIfAbsent("camel.management.port", String.valueOf(FreePorts.next()));
            props.putIfAbsent("pulse.data-dir", Files.createTempDirectory("pulse-fault-app").toString());
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            command.add("-XX:+UseSerialGC"); // two cores shared by the broker, the Mongo server and up to two apps
            props.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-jar");
            command.add(jar().toString());
            Path log = LOG_DIR.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(LOG_DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            LIVE.add(process);
            AppProcess app = new AppProcess(name, process, log, Integer.parseInt(props.get("camel.management.port")));
            Faults.note("started %s (pid %d), log %s", name, process.pid(), BASEDIR.relativize(log));
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name, e);
        }
    }

    private static Path copy;

    /**
     * A private copy of the jar, taken once per test JVM: a rebuild of target/ while the tests run must not
     * change the classes under running instances (or take the jar away between two starts).
     */
    private static synchronized Path jar() throws IOException {
        if (copy == null) {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR + " is missing: run the fault tests with 'mvn verify' (the package phase builds it)");
            }
            Path file = Files.createTempFile("interaction-pulse-fault", ".jar");
            file.toFile().deleteOnExit();
            Files.copy(JAR, file, StandardCopyOption.REPLACE_EXISTING);
            copy = file;
        }
        return copy;
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails with the tail of the log when the process has exited. */
    void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited unexpectedly with " + process.exitValue() + "; log tail:\n" + tail(40));
        }
    }

    /** The exit code once the process has exited by itself, or empty when it still runs after {@code timeout}. */
    OptionalInt exitWithin(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LIVE.remove(process);
                return OptionalInt.of(process.exitValue());
            }
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** kill -9: no shutdown hook, no last commit, no goodbye. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
        Faults.note("killed %s (pid %d) with SIGKILL, exit %d", name, process.pid(), process.exitValue());
    }

    /**
     * SIGTERM, then waits.
     *
     * @return the exit code, or empty when it did not exit within {@code timeout} (it is then still running)
     */
    OptionalInt stop(Duration timeout) {
        process.destroy();
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LIVE.remove(process);
                return OptionalInt.of(process.exitValue());
            }
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not exit within " + timeout);
            }
            LIVE.remove(process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    List<String> logLines(Pattern pattern) {
        return logText().lines().filter(line -> pattern.matcher(line).find()).toList();
    }

    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * GET /observe/health on the management port.
     *
     * @return null while the endpoint does not answer
     */
    Health health() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                .timeout(Duration.ofSeconds(8)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return Health.parse(response.statusCode(), response.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops a route and waits until it has stopped (Camel lets its exchanges in flight finish first), through
     * Jolokia on the management port, as an operator or Hawtio does.
     */
    void stopRoute(String routeId) {
        String mbean = "org.apache.camel:context=interaction-pulse,type=routes,name=\"" + routeId + "\"";
        String request = JSON.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", "stop()").toString();
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/jolokia"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build();
        try {
            String body = HTTP.send(post, HttpResponse.BodyHandlers.ofString()).body();
            if (JSON.readTree(body).path("status").asInt() != 200) {
                throw new IllegalStateException("Jolokia could not stop route " + routeId + " of " + name + ": " + body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Jolokia of " + name + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of a Prometheus sample, e.g. {@code pulse_events_produced_total}. */
    double metric(String sample) {
        return metric(sample, "");
    }

    /**
     * The value of the first Prometheus sample of that name whose labels contain {@code label}, e.g.
     * {@code camel_exchanges_failed_total} and {@code routeId="generate-interactions"}.
     */
    double metric(String sample, String label) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(line -> line.startsWith(sample + " ") || line.startsWith(sample + "{"))
                    .filter(line -> line.substring(0, line.lastIndexOf(' ')).contains(label))
                    .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " has no metric " + sample + " " + label));
        } catch (IOException e) {
            throw new UncheckedIOException("/observe/metrics of " + name + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the process if it is still running (idempotent). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(process);
    }

    /** What /observe/health said: the overall status and each check's status by name. */
    record Health(int httpStatus, String status, Map<String, String> checks, String body) {

        static Health parse(int httpStatus, String body) {
            Map<String, String> checks = new LinkedHashMap<>();
            String status = null;
            try {
                JsonNode json = JSON.readTree(body);
                status = json.path("status").asText(null);
                JsonNode list = json.path("checks");
                if (list.isArray()) {
                    list.forEach(check -> checks.put(check.path("name").asText(), check.path("status").asText()));
                } else if (list.isObject()) {
                    list.fields().forEachRemaining(e -> checks.put(e.getKey(), e.getValue().path("status").asText(e.getValue().asText())));
                }
            } catch (IOException e) {
                // not JSON: keep the body for the assertion message
            }
            return new Health(httpStatus, status, checks, body);
        }

        boolean up() {
            return "UP".equalsIgnoreCase(status);
        }

        /** The status of the check whose name is or ends with "mongodb", or null when there is none. */
        String mongodb() {
            return checks.entrySet().stream()
                    .filter(e -> e.getKey().toLowerCase(Locale.ROOT).matches("(.*[^a-z])?mongodb"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }

        boolean reportsMongoDown() {
            return "DOWN".equalsIgnoreCase(status) || "DOWN".equalsIgnoreCase(mongodb());
        }

        /** Overall UP and, when there is a MongoDB check, that one too. */
        boolean allUp() {
            return up() && (mongodb() == null || "UP".equalsIgnoreCase(mongodb()));
        }

        @Override
        public String toString() {
            List<String> notUp = checks.entrySet().stream().filter(e -> !"UP".equalsIgnoreCase(e.getValue()))
                    .map(e -> e.getKey() + "=" + e.getValue()).toList();
            return "HTTP " + httpStatus + " status=" + status + ", mongodb check " + mongodb() + ", " + checks.size()
                    + " checks, not UP: " + notUp;
        }
    }
}
