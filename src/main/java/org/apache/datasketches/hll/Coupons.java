package org.apache.datasketches.hll;

import org.apache.datasketches.hash.MurmurHash3;

import java.nio.charset.StandardCharsets;

/**
 * What {@link HllSketch#update(String)} does, in its two halves: the coupon of a string (a Murmur3 hash of its
 * UTF-8 bytes, seed 9001, reduced to a bucket and a value, as {@code BaseHllSketch.coupon} does), and adding a
 * coupon to a sketch ({@code couponUpdate}, package-private in DataSketches 6.2, hence this class in its package).
 * A coupon computed once can so be added to several sketches, which then hold exactly what {@code update(String)}
 * would have put in them. Part of the app, not of DataSketches: checked against {@code update(String)} by
 * {@code UniqueUsersTest}, so a DataSketches upgrade that changes either half fails there.
 */
public final class Coupons {

    /** DataSketches' default update seed ({@code ThetaUtil.DEFAULT_UPDATE_SEED}). */
    private static final long SEED = 9001L;
    private static final int KEY_BITS_26 = 26;
    private static final long KEY_MASK_26 = (1L << KEY_BITS_26) - 1;

    private Coupons() {
    }

    /** The coupon {@code update(text)} adds; 0 (which adds nothing) for null or empty text, which it ignores. */
    public static int of(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long[] hash = MurmurHash3.hash(text.getBytes(StandardCharsets.UTF_8), SEED);
        int address = (int) (hash[0] & KEY_MASK_26);
        int leadingZeros = Long.numberOfLeadingZeros(hash[1]);
        int value = Math.min(leadingZeros, 62) + 1;
        return (value << KEY_BITS_26) | address;
    }

    /** Adds a coupon from {@link #of} to the sketch (0 adds nothing). */
    public static void update(HllSketch sketch, int coupon) {
        sketch.couponUpdate(coupon);
    }
}
