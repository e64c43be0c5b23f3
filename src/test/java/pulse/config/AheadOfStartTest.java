package pulse.config;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AheadOfStartTest {

    @Test
    void theWorkRunsOnAThreadOfItsOwnWhileTheBeginnerGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> ranOn = new AtomicReference<>();
        AheadOfStart<Integer> work = new AheadOfStart<>("ahead-test");
        work.begin(() -> {
            ranOn.set(Thread.currentThread().getName());
            // released only once the beginner has gone on past begin(): run in begin(), the work would time out here
            return release.await(10, TimeUnit.SECONDS) ? 42 : -1;
        });
        release.countDown();
        assertThat(work.await()).isEqualTo(42);
        assertThat(ranOn.get()).isEqualTo("ahead-test");
    }

    @Test
    void awaitThrowsTheWorksOwnExceptionNotWrapped() {
        InvalidConfigurationException failure = new InvalidConfigurationException("kafka.topic", "no such topic");
        AheadOfStart<Integer> work = new AheadOfStart<>("ahead-test");
        work.begin(() -> {
            throw failure;
        });
        assertThatThrownBy(work::await).isSameAs(failure);
    }

    @Test
    void anErrorIsThrownAsItself() {
        AheadOfStart<Integer> work = new AheadOfStart<>("ahead-test");
        work.begin(() -> {
            throw new StackOverflowError("deep");
        });
        assertThatThrownBy(work::await).isInstanceOf(StackOverflowError.class).hasMessage("deep");
    }

    @Test
    void aSecondBeginDoesNotRunTheWorkAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AheadOfStart<Integer> work = new AheadOfStart<>("ahead-test");
        work.begin(runs::incrementAndGet);
        work.begin(runs::incrementAndGet);
        assertThat(work.await()).isEqualTo(1);
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void awaitBeforeBeginFailsRatherThanWaitingForever() {
        assertThatThrownBy(() -> new AheadOfStart<Integer>("ahead-test").await())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never begun");
    }
}
