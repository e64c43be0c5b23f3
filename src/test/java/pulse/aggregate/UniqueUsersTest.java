package pulse.aggregate;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sketch configuration: error bounds against exact counts, idempotence, unions. */
class UniqueUsersTest {

    private final UniqueUsers sketches = new UniqueUsers(UniqueUsers.DEFAULT_LG_K);

    @Test
    void withinTwoPercentOfOneMillionDistinctUsersWrittenAndReadBackInBatches() {
        // ten independent sets of 1M users, each added in batches of 50k to the sketch read back from its bytes,
        // as the store does; the exact count is 1M by construction
        double worst = 0;
        for (int set = 0; set < 10; set++) {
            byte[] stored = null;
            List<String> batch = new ArrayList<>();
            for (int user = 0; user < 1_000_000; user++) {
                batch.add("set" + set + "-user-" + user);
                if (batch.size() == 50_000) {
                    stored = sketches.add(stored, batch).sketch();
                    batch.clear();
                }
            }
            double error = Math.abs(UniqueUsers.estimate(stored) - 1_000_000) / 1_000_000.0;
            worst = Math.max(worst, error);
        }
        assertThat(worst).as("worst relative error of 10 sets of 1M users").isLessThanOrEqualTo(0.02);
    }

    @Test
    void withinOneOfTheExactCountUpToFifteenHundredUsers() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int distinct = 1 + random.nextInt(1_500);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < distinct; i++) {
                users.add("u" + random.nextLong());
            }
            long estimate = sketches.add(null, users).estimate();
            assertThat(estimate).as("%d distinct users", distinct).isBetween(distinct - 1L, distinct + 1L);
        }
        assertThat(sketches.add(null, List.of("a", "b", "a", "c", "b")).estimate()).isEqualTo(3);
    }

    @Test
    void addingUsersTheSketchHoldsChangesNothing() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            users.add("user-" + i);
        }
        UniqueUsers.Result first = sketches.add(null, users);
        UniqueUsers.Result replay = sketches.add(first.sketch(), users.subList(5_000, 7_000));

        assertThat(first.changed()).isTrue();
        assertThat(replay.changed()).isFalse();
        assertThat(replay.sketch()).isEqualTo(first.sketch());
        // in HLL mode a new user changes the sketch only when its hash raises a bucket: a thousand new ones do
        List<String> newcomers = users.stream().map(user -> "new-" + user).limit(1_000).toList();
        assertThat(sketches.add(first.sketch(), newcomers).changed()).isTrue();
    }

    @Test
    void aSmallSketchReadBackAndGivenUsersItHoldsIsUnchangedToo() {
        // below ~1,500 users a sketch keeps a set of hashes whose order in the bytes depends on how it was built:
        // "changed" compares what the sketch counts, not its bytes
        for (int size : new int[] {5, 100, 600, 1_400}) {
            List<String> users = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                users.add("user-" + i);
            }
            UniqueUsers.Result first = sketches.add(null, users.subList(0, size / 2));
            UniqueUsers.Result second = sketches.add(first.sketch(), users);
            UniqueUsers.Result replay = sketches.add(second.sketch(), users.subList(size / 3, size));

            assertThat(second.changed()).as("%d users", size).isTrue();
            assertThat(replay.changed()).as("%d users", size).isFalse();
            assertThat(replay.estimate()).isEqualTo(size);
            assertThat(sketches.add(second.sketch(), List.of("newcomer")).changed()).as("%d users", size).isTrue();
        }
    }

    @Test
    void theUnionOfSketchesCountsAUserInSeveralOfThemOnce() {
        List<byte[]> parts = new ArrayList<>();
        for (int part = 0; part < 6; part++) {
            List<String> users = new ArrayList<>();
            for (int i = part * 100; i < part * 100 + 300; i++) { // overlapping ranges: 0-299, 100-399, ... 500-799
                users.add("user-" + i);
            }
            parts.add(sketches.add(null, users).sketch());
        }
        assertThat(sketches.unionEstimate(parts)).isEqualTo(800);
        assertThat(sketches.unionEstimate(List.of())).isZero();
    }

    @Test
    void aSketchBuiltFromUtf8KeysHoldsTheBytesDataSketchesOwnUpdateOfTheIdsGives() {
        // the truth: DataSketches' update(String), which wrote the sketches stored before the keys; same bytes means a
        // user already counted by either is never counted again by the other. Every mode (list, set, HLL), ids of
        // ASCII, other Latin-1, multi-byte and surrogate-pair characters, repeats.
        Random random = new Random(7);
        String[] alphabets = {"abcdefghij0123456789-_", "äöüßéèñ", "ユーザー漢字", "\uD83D\uDE00\uD83C\uDF89"};
        for (int size : new int[] {1, 7, 100, 1_000, 5_000, 60_000}) {
            List<String> users = new ArrayList<>();
            HllSketch expected = new HllSketch(UniqueUsers.DEFAULT_LG_K, TgtHllType.HLL_4);
            for (int i = 0; i < size; i++) {
                String user;
                if (i > 0 && random.nextInt(4) == 0) {
                    user = users.get(random.nextInt(users.size())); // a repeat
                } else {
                    String alphabet = alphabets[random.nextInt(alphabets.length)];
                    StringBuilder id = new StringBuilder();
                    int length = 1 + random.nextInt(24);
                    while (id.length() < length) {
                        int at = random.nextInt(alphabet.length());
                        id.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2)
                                : Character.isLowSurrogate(alphabet.charAt(at)) ? alphabet.substring(at - 1, at + 1)
                                : alphabet.substring(at, at + 1));
                    }
                    user = id.toString();
                }
                users.add(user);
                expected.update(user);
            }
            UniqueUsers.Result fromKeys = sketches.add(null, users);
            assertThat(fromKeys.sketch()).as("%d users", size).isEqualTo(expected.toCompactByteArray());
            assertThat(fromKeys.estimate()).isEqualTo(Math.round(expected.getEstimate()));

            // and added to a sketch DataSketches wrote: nothing new, so unchanged
            assertThat(sketches.add(expected.toCompactByteArray(), users).changed()).as("%d users", size).isFalse();
        }
    }

    @Test
    void aSketchKeptOnTheHeapAndUpdatedInPlaceCountsAsOneRebuiltFromItsStoredBytesForEveryBatch() {
        // the store keeps written sketches on the heap and adds the next batch to them in place; before, every batch
        // was added to the sketch rebuilt from its stored bytes. Batches of new, repeated and mixed users, through the
        // small (list, set) and the full (HLL) forms
        Random random = new Random(7);
        HllSketch kept = sketches.newSketch();
        byte[] stored = null;
        int next = 0;
        Set<String> distinct = new HashSet<>();
        for (int batch = 0; batch < 60; batch++) {
            List<String> users = new ArrayList<>();
            int size = 1 + random.nextInt(batch < 30 ? 100 : 2_000);
            for (int i = 0; i < size; i++) {
                boolean repeat = next > 0 && random.nextInt(3) == 0;
                users.add("user-" + (repeat ? random.nextInt(next) : next++));
            }
            if (batch % 10 == 9) { // a replay: only users the sketches already hold
                int known = next;
                users.replaceAll(user -> "user-" + random.nextInt(known));
            }
            distinct.addAll(users);
            byte[][] keys = users.stream().map(UniqueUsers::key).toArray(byte[][]::new);
            byte[] keptBefore = kept.toCompactByteArray();
            UniqueUsers.Result rebuilt = sketches.add(stored, keys);
            boolean keptChanged = UniqueUsers.addTo(kept, keys);

            assertThat(keptChanged).as("batch %d", batch).isEqualTo(rebuilt.changed());
            assertThat(UniqueUsers.estimate(kept)).as("batch %d", batch).isEqualTo(rebuilt.estimate());
            assertThat(UniqueUsers.estimate(kept.toCompactByteArray())).isEqualTo(rebuilt.estimate());
            if (!keptChanged) {
                assertThat(kept.toCompactByteArray()).as("batch %d, nothing new", batch).isEqualTo(keptBefore);
            }
            stored = rebuilt.sketch();
        }
        assertThat(distinct).hasSizeGreaterThan(20_000); // well into the full form
        assertThat(UniqueUsers.estimate(kept)).isBetween(Math.round(distinct.size() * 0.98), Math.round(distinct.size() * 1.02));
    }

    @Test
    void lgKOutsideTheSketchesRangeIsRefused() {
        assertThatThrownBy(() -> new UniqueUsers(3)).hasMessageContaining("from 4 to 21");
        assertThatThrownBy(() -> new UniqueUsers(22)).hasMessageContaining("from 4 to 21");
    }
}
