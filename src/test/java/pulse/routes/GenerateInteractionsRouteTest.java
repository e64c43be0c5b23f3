package pulse.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Message;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.timer.TimerEndpoint;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import pulse.generator.InteractionGenerator;
import pulse.generator.RateMeter;
import pulse.testsupport.RouteTestSupport;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Generate: timer -> generator -> one batch of keyed records per tick to the topic. */
class GenerateInteractionsRouteTest extends RouteTestSupport {

    private static final String ROUTE = "generate-interactions";
    private static final int EVENTS_PER_TICK = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RateMeter rate;

    @Override
    protected Map<String, String> overrides() {
        return Map.of(
                "kafka.topic", "test-interactions",
                "generator.period", "20",
                "generator.events-per-tick", String.valueOf(EVENTS_PER_TICK),
                "generator.users", "50",
                "generator.seed", "17");
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("interactionGenerator", new InteractionGenerator(options().generator(), Clock.systemUTC()));
        rate = new RateMeter(options().generator().configuredRate(), Duration.ofMinutes(1), System::nanoTime);
        registry.bind("generatorRate", rate);
    }

    /** The route's send to Kafka goes to mock:kafka instead. */
    private MockEndpoint kafkaReplacedByMock() throws Exception {
        AdviceWith.adviceWith(context, ROUTE, route -> route.weaveByToUri("kafka:*").replace().to("mock:kafka"));
        return getMockEndpoint("mock:kafka");
    }

    @Test
    void theRecordsGoToTheConfiguredTopic() {
        assertThat(sendsTo(ROUTE, "kafka")).containsExactly("kafka:test-interactions");
    }

    @Test
    void everyTickSendsOneBatchOfEventsPerTickRecordsKeyedByTheirUser() throws Exception {
        AdviceWith.adviceWith(context, ROUTE, route -> route.replaceFromWith("direct:tick"));
        MockEndpoint kafka = kafkaReplacedByMock();
        context.start();
        kafka.expectedMessageCount(3);

        for (int tick = 0; tick < 3; tick++) {
            template.sendBody("direct:tick", null);
        }

        kafka.assertIsSatisfied(5_000);
        for (var batch : kafka.getReceivedExchanges()) {
            List<?> messages = batch.getMessage().getBody(List.class);
            assertThat(messages).hasSize(EVENTS_PER_TICK);
            for (Object item : messages) {
                Message message = (Message) item;
                String userInEvent = JSON.readTree(message.getBody(byte[].class)).get("user_id").asText();
                assertThat(message.getHeader(KafkaConstants.KEY)).as("the record key").isEqualTo(userInEvent);
            }
        }
        assertThat(rate.total()).as("events the rate meter counted").isEqualTo(3L * EVENTS_PER_TICK);
    }

    @Test
    void theTimerTicksEveryGeneratorPeriodAtAFixedRate() throws Exception {
        MockEndpoint kafka = kafkaReplacedByMock();
        NotifyBuilder fiveTicks = new NotifyBuilder(context).fromRoute(ROUTE).whenDone(5).create();
        context.start();

        TimerEndpoint timer = (TimerEndpoint) context.getRoute(ROUTE).getEndpoint();
        assertThat(timer.getPeriod()).as("generator.period").isEqualTo(20);
        assertThat(timer.isFixedRate()).as("fixedRate: late ticks catch up, the rate holds").isTrue();
        assertThat(fiveTicks.matches(10, TimeUnit.SECONDS)).as("five ticks within 10 s").isTrue();
        assertThat(kafka.getReceivedCounter()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void generatorDisabledLeavesTheRouteStopped() throws Exception {
        context.getPropertiesComponent().addOverrideProperty("generator.enabled", "false");
        kafkaReplacedByMock();
        context.start();

        assertThat(context.getRouteController().getRouteStatus(ROUTE).isStopped()).isTrue();
    }
}
