package pulse.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is the reference of every property: a key added to application.properties and not
 * documented there, or a documented key that no longer exists, fails here rather than misleading a user.
 */
class ConfigurationDocsTest {

    private static final Path REFERENCE = Path.of("docs", "configuration.md");
    /** The first cell of a table row: one key or several, each in backticks, separated by " / ". */
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| (`[^|]+`) \\|", Pattern.MULTILINE);
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

    @Test
    void everyPropertyOfApplicationPropertiesIsInTheReference() throws IOException {
        Set<String> documented = documentedKeys();

        assertThat(propertyKeys()).allSatisfy(key -> assertThat(documented)
                .as("docs/configuration.md has a row for %s", key).contains(key));
    }

    @Test
    void everyKeyTheReferenceListsIsAProperty() throws IOException {
        Set<String> properties = propertyKeys();

        assertThat(documentedKeys()).allSatisfy(key -> assertThat(properties)
                .as("%s, documented in docs/configuration.md, is in application.properties", key).contains(key));
    }

    @Test
    void aRowListingSeveralKeysYieldsEachOfThem() {
        assertThat(keysOf("| `retention.windows` / `retention.check-interval-ms` | `P7D` / `600000` | kept |\n"))
                .containsExactly("retention.check-interval-ms", "retention.windows");
        assertThat(keysOf("| `camel.component.kafka.*` | see below | settings |\n")).isEmpty();
    }

    private static Set<String> documentedKeys() throws IOException {
        return keysOf(Files.readString(REFERENCE));
    }

    /** Keys in the first cell of the reference's table rows; a wildcard ({@code camel.component.kafka.*}) is not one. */
    static Set<String> keysOf(String markdown) {
        Set<String> keys = new TreeSet<>();
        Matcher row = FIRST_CELL.matcher(markdown);
        while (row.find()) {
            Matcher quoted = QUOTED.matcher(row.group(1));
            while (quoted.find()) {
                if (!quoted.group(1).contains("*")) {
                    keys.add(quoted.group(1));
                }
            }
        }
        return keys;
    }

    private static Set<String> propertyKeys() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ConfigurationDocsTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        return new TreeSet<>(properties.stringPropertyNames());
    }
}
