package dev.everynode.apimachinery;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Label key and value validation with the exact wording of k8s.io/apimachinery/pkg/util/validation, so that a 400
 * response reads like the one kube-apiserver would send for the same selector.
 */
final class LabelValidation {

    private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
    private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
    private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");

    private static final String QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and"
            + " must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc',"
            + " regex used for validation is '" + QUALIFIED_NAME_FMT + "')";
    private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric"
            + " characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
            + " or 'my_value',  or '12345', regex used for validation is '" + LABEL_VALUE_FMT + "')";
    private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case"
            + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            + " (e.g. 'example.com', regex used for validation is '" + DNS1123_SUBDOMAIN_FMT + "')";

    private LabelValidation() {
    }

    /** Errors of validation.IsQualifiedName; empty when the key is valid. */
    static List<String> qualifiedNameErrors(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                errs.add("prefix part must be non-empty");
            } else {
                for (String e : dns1123SubdomainErrors(prefix)) {
                    errs.add("prefix part " + e);
                }
            }
        } else {
            errs.add("a qualified name " + QUALIFIED_NAME_MSG
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errs;
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (name.length() > 63) {
            errs.add("name part must be no more than 63 characters");
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + QUALIFIED_NAME_MSG);
        }
        return errs;
    }

    /** Errors of validation.IsValidLabelValue; empty when the value is valid (the empty string is valid). */
    static List<String> labelValueErrors(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add(LABEL_VALUE_MSG);
        }
        return errs;
    }

    private static List<String> dns1123SubdomainErrors(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > 253) {
            errs.add("must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add(DNS1123_SUBDOMAIN_MSG);
        }
        return errs;
    }

    /** Throws the field.Invalid-style error kube-apiserver reports for a bad key. */
    static void requireValidKey(String key) {
        List<String> errs = qualifiedNameErrors(key);
        if (!errs.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: key: Invalid value: \"" + key + "\": "
                    + String.join("; ", errs));
        }
    }

    /** Throws the field.Invalid-style error kube-apiserver reports for a bad value. */
    static void requireValidValue(String value, int index) {
        List<String> errs = labelValueErrors(value);
        if (!errs.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: values[" + index + "]: Invalid value: \""
                    + value + "\": " + String.join("; ", errs));
        }
    }
}
