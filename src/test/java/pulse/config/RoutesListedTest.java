package pulse.config;

import org.apache.camel.RoutesBuilder;
import org.junit.jupiter.api.Test;
import routes.GenerateInteractionsRoute;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Camel Main starts the routes application.properties lists ({@code camel.main.routes-builder-classes}), not
 * whatever package {@code routes} holds: a RouteBuilder added there and not listed would silently never run.
 */
class RoutesListedTest {

    @Test
    void everyRouteBuilderOfPackageRoutesIsListed() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = RoutesListedTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        List<String> listed = Arrays.stream(properties.getProperty("camel.main.routes-builder-classes", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();

        List<String> builders;
        try (Stream<Path> files = Files.list(routesDirectory())) {
            builders = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.contains("$"))
                    .map(name -> "routes." + name.substring(0, name.length() - ".class".length()))
                    .filter(RoutesListedTest::isRouteBuilder)
                    .toList();
        }

        assertThat(builders).as("RouteBuilders compiled from package routes").isNotEmpty();
        assertThat(listed).as("camel.main.routes-builder-classes").containsExactlyInAnyOrderElementsOf(builders);
    }

    /** The directory the main classes were compiled to, whichever classpath entry comes first. */
    private static Path routesDirectory() throws URISyntaxException {
        return Path.of(GenerateInteractionsRoute.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("routes");
    }

    private static boolean isRouteBuilder(String className) {
        try {
            return RoutesBuilder.class.isAssignableFrom(Class.forName(className));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
