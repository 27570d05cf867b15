package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.IntOrPercent;

/** Kubernetes {@code intstr.GetScaledValueFromIntOrPercent}. */
public final class IntOrPercents {

    private IntOrPercents() {}

    /**
     * Scales a percent against {@code total} ({@code "P%"} becomes ceil or floor of P*total/100); a plain int is
     * returned as is. A null value counts as 0 because defaulting has already filled every field that matters.
     *
     * @throws IllegalArgumentException for a string that is not a whole-number percent (validation rejects those)
     */
    public static int scaled(IntOrPercent value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.intValue() != null) {
            return value.intValue();
        }
        String text = value.percent();
        if (text == null) {
            return 0;
        }
        if (!text.endsWith("%")) {
            throw new IllegalArgumentException("invalid type: string is not a percentage: " + text);
        }
        long percent;
        try {
            percent = Integer.parseInt(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + text + "\"", e);
        }
        // Integer arithmetic gives the same result as the float64 ceil/floor of Kubernetes without rounding noise.
        long product = percent * total;
        return (int) (roundUp ? -Math.floorDiv(-product, 100L) : Math.floorDiv(product, 100L));
    }
}
