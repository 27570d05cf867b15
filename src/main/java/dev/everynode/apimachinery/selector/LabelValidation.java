package dev.everynode.apimachinery.selector;

import dev.everynode.apimachinery.validation.Syntax;
import java.util.List;

/**
 * Label selector key and value checks, worded as kube-apiserver reports a bad selector. The syntax rules
 * themselves are {@link Syntax}'s (IsQualifiedName, IsValidLabelValue), shared with object validation.
 */
final class LabelValidation {

    private LabelValidation() {
    }

    /** Throws the field.Invalid-style error kube-apiserver reports for a bad key. */
    static void requireValidKey(String key) {
        List<String> errs = Syntax.isQualifiedName(key);
        if (!errs.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: key: Invalid value: \"" + key + "\": "
                    + String.join("; ", errs));
        }
    }

    /** Throws the field.Invalid-style error kube-apiserver reports for a bad value. */
    static void requireValidValue(String value, int index) {
        List<String> errs = Syntax.isValidLabelValue(value);
        if (!errs.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: values[" + index + "]: Invalid value: \""
                    + value + "\": " + String.join("; ", errs));
        }
    }
}
