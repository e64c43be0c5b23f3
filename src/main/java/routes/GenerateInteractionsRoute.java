package routes;

import org.apache.camel.builder.RouteBuilder;
import pulse.kafka.KeyedMessages;

/** Generate: every tick, a batch of realistic events to the interactions topic, keyed by user. */
public class GenerateInteractionsRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:generate-interactions?fixedRate=true&period={{generator.period}}")
                .routeId("generate-interactions")
                .autoStartup("{{generator.enabled}}")
                .bean("interactionGenerator", "nextRecords")
                .setProperty("eventCount", simple("${body.size}"))
                .bean(KeyedMessages.class, "toMessages")
                .to("kafka:{{kafka.topic}}")
                .bean("generatorRate", "record(${exchangeProperty.eventCount})");
    }
}
