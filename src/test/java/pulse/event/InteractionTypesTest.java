package pulse.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InteractionTypesTest {

    @Test
    void theDefaultVocabularyIsViewClickPurchaseInFunnelOrder() {
        assertThat(InteractionTypes.DEFAULT.all()).containsExactly(InteractionType.VIEW, InteractionType.CLICK,
                InteractionType.PURCHASE);
    }

    @Test
    void namesAndAliasesResolveCaseInsensitively() {
        InteractionTypes types = InteractionTypes.of(List.of("view", "add_to_cart"), Map.of("Product Added", "ADD_TO_CART"), false);

        assertThat(types.resolve("product added")).contains(types.named("add_to_cart"));
        assertThat(types.resolve("Add_To_Cart")).contains(new InteractionType("add_to_cart", 1));
        assertThat(types.resolve("purchase")).isEmpty();
    }

    @Test
    void unknownTypesCountAsOtherWhenAskedAndOtherIsLast() {
        InteractionTypes types = InteractionTypes.of(List.of("view", "click"), Map.of(), true);

        assertThat(types.names()).containsExactly("view", "click", "other");
        assertThat(types.resolve("like")).contains(new InteractionType("other", 2));
    }

    @Test
    void otherInTheVocabularyIsTheOneUnknownTypesCountAs() {
        InteractionTypes types = InteractionTypes.of(List.of("view", "other", "click"), Map.of(), true);

        assertThat(types.names()).containsExactly("view", "other", "click");
        assertThat(types.resolve("like")).contains(new InteractionType("other", 1));
    }

    @Test
    void spellingsAreTheFirstAliasOfEachType() {
        InteractionTypes types = InteractionTypes.of(List.of("view", "click"),
                new LinkedHashMap<>(Map.of("Product Viewed", "view")), false);

        assertThat(types.spellings()).containsEntry(InteractionType.VIEW, "Product Viewed").doesNotContainKey(InteractionType.CLICK);
    }

    @Test
    void anEmptyVocabularyIsRefused() {
        assertThatThrownBy(() -> InteractionTypes.of(List.of(), Map.of(), false)).hasMessageContaining("at least one");
    }

    @ParameterizedTest
    @ValueSource(strings = {"by.type", "$inc", "two words", ""})
    void aTypeThatCannotBeAFieldNameIsRefused(String name) {
        assertThatThrownBy(() -> InteractionTypes.of(List.of("view", name), Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSameTypeTwiceInAnyCaseIsRefused() {
        assertThatThrownBy(() -> InteractionTypes.of(List.of("view", "View"), Map.of(), false)).hasMessageContaining("twice");
    }

    @Test
    void anAliasToAnUnknownTypeIsRefused() {
        assertThatThrownBy(() -> InteractionTypes.of(List.of("view"), Map.of("Order Completed", "purchase"), false))
                .hasMessageContaining("'purchase'");
    }
}
