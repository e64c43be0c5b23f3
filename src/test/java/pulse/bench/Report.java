package pulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's results: rows of the table, plain values by key, notes; printed and written as JSON. */
final class Report {

    /** One line of the table. {@code pass} is null when there is no target to pass. */
    record Row(String measure, Object value, String unit, String target, String ratio, Boolean pass) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> machine;
    private final Map<String, Object> config;
    private final Instant started = Instant.now();

    Report(Map<String, Object> config) {
        this.config = config;
        this.machine = machine();
    }

    void row(String measure, Object value, String unit, String target, String ratio, Boolean pass) {
        rows.add(new Row(measure, value, unit, target, ratio, pass));
    }

    void row(String measure, Object value, String unit) {
        row(measure, value, unit, "", "", null);
    }

    void value(String key, Object value) {
        values.put(key, value);
    }

    Object value(String key) {
        return values.get(key);
    }

    void note(String note) {
        notes.add(note);
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("totalRamMiB", memTotalKiB() / 1024);
        m.put("cpu", cpuModel());
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("benchmarkJvmMaxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("benchmarkJvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static long memTotalKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "?";
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("started", started.toString());
        map.put("finished", Instant.now().toString());
        Map<String, Object> machineNow = new LinkedHashMap<>(machine);
        machineNow.put("loadAverageAtEnd", loadAverage());
        map.put("machine", machineNow);
        map.put("config", config);
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("measure", row.measure());
            r.put("value", row.value());
            r.put("unit", row.unit());
            r.put("target", row.target());
            r.put("ratio", row.ratio());
            r.put("pass", row.pass());
            table.add(r);
        }
        map.put("results", table);
        map.put("values", values);
        map.put("notes", notes);
        return map;
    }

    void write(Path out) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), toMap());
    }

    void print(PrintStream out) {
        out.println();
        out.println("=== Interaction Pulse benchmark ===");
        out.printf("machine: %s cores, %s MiB RAM, %s; java %s; load average %s at start, %s now%n",
                machine.get("nproc"), machine.get("totalRamMiB"), machine.get("cpu"), machine.get("java"),
                machine.get("loadAverageAtStart"), loadAverage());
        out.println("config:  " + config);
        String[] header = {"measure", "value", "unit", "target", "ratio / pass"};
        List<String[]> lines = new ArrayList<>();
        for (Row row : rows) {
            String verdict = row.pass() == null ? "" : row.pass() ? "PASS" : "FAIL";
            String ratio = row.ratio() == null ? "" : row.ratio();
            lines.add(new String[] {row.measure(), format(row.value()), row.unit(), row.target(),
                    (ratio + (ratio.isEmpty() || verdict.isEmpty() ? "" : "  ") + verdict).trim()});
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] line : lines) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        printLine(out, header, width);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            rule.append(i == 0 ? "" : "-|-").append("-".repeat(width[i]));
        }
        out.println(rule);
        for (String[] line : lines) {
            printLine(out, line, width);
        }
        if (!notes.isEmpty()) {
            out.println("notes:");
            notes.forEach(n -> out.println("  - " + n));
        }
        out.flush();
    }

    private static void printLine(PrintStream out, String[] cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(" | ");
            }
            boolean right = i == 1;
            String cell = cells[i];
            String pad = " ".repeat(width[i] - cell.length());
            line.append(right ? pad + cell : cell + (i == cells.length - 1 ? "" : pad));
        }
        out.println(line);
    }

    static String format(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Double d) {
            if (Double.isNaN(d)) {
                return "-";
            }
            double abs = Math.abs(d);
            if (abs >= 1000) {
                return String.format(Locale.ROOT, "%,.0f", d);
            }
            if (abs >= 100) {
                return String.format(Locale.ROOT, "%.0f", d);
            }
            if (abs >= 10) {
                return String.format(Locale.ROOT, "%.1f", d);
            }
            return String.format(Locale.ROOT, "%.3f", d);
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return value.toString();
    }

    static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    static double round(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
