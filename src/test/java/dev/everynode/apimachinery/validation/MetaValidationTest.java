package dev.everynode.apimachinery.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Messages;
import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.validation.MetaValidation.NameRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class MetaValidationTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    private static ObjectNode yaml(String text) {
        return (ObjectNode) YAML.readTree(text);
    }

    static Stream<Arguments> qualifiedNames() {
        return Stream.of(
                Arguments.of("a plain name is valid", "app", List.of()),
                Arguments.of("a prefixed name is valid", "example.com/App_1", List.of()),
                Arguments.of("an underscore start is invalid", "_app", List.of(Messages.NAME_PART)),
                Arguments.of("an empty prefix is reported", "/app", List.of("prefix part must be non-empty")),
                Arguments.of("an uppercase prefix is reported", "Example.com/app",
                        List.of("prefix part " + Messages.SUBDOMAIN)),
                Arguments.of("an empty name part gets both messages", "example.com/",
                        List.of("name part must be non-empty", Messages.NAME_PART)),
                Arguments.of("a 64 character name part is too long", "a".repeat(64),
                        List.of("name part must be no more than 63 characters")),
                Arguments.of("two slashes are one combined message", "a/b/c", List.of(Messages.TOO_MANY_SLASHES)));
    }

    @ParameterizedTest(name = "IsQualifiedName: {0}")
    @MethodSource("qualifiedNames")
    void qualifiedName(String description, String value, List<String> expected) {
        assertThat(MetaValidation.isQualifiedName(value)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> syntaxChecks() {
        return Stream.of(
                Arguments.of("an empty label value is valid", "value", "", List.of()),
                Arguments.of("a label value ending in a dash is invalid", "value", "abc-", List.of(Messages.LABEL_VALUE)),
                Arguments.of("a 64 character label value is too long", "value", "a".repeat(64),
                        List.of("must be no more than 63 characters")),
                Arguments.of("a DNS label with a dot is invalid", "label", "a.b", List.of(Messages.LABEL)),
                Arguments.of("a 64 character DNS label is too long", "label", "a".repeat(64),
                        List.of("must be no more than 63 characters")),
                Arguments.of("a dotted subdomain is valid", "subdomain", "a.b-c.d", List.of()),
                Arguments.of("a subdomain with an underscore is invalid", "subdomain", "Bad_Name",
                        List.of(Messages.SUBDOMAIN)),
                Arguments.of("a 254 character subdomain is too long", "subdomain", "a".repeat(254),
                        List.of("must be no more than 253 characters")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxChecks")
    void syntax(String description, String kind, String value, List<String> expected) {
        List<String> actual = switch (kind) {
            case "value" -> MetaValidation.isValidLabelValue(value);
            case "label" -> MetaValidation.isDns1123Label(value);
            default -> MetaValidation.isDns1123Subdomain(value);
        };
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> objectMeta() {
        return Stream.of(
                Arguments.of("a missing name is required", "{}", NameRule.DNS1123_SUBDOMAIN,
                        new Cause("FieldValueRequired", "metadata.name",
                                "Required value: name or generateName is required")),
                Arguments.of("a subdomain name with an underscore is invalid", "{name: Bad_Name}",
                        NameRule.DNS1123_SUBDOMAIN, new Cause("FieldValueInvalid", "metadata.name",
                                "Invalid value: \"Bad_Name\": " + Messages.SUBDOMAIN)),
                Arguments.of("a label-rule name may not contain dots", "{name: a.b}", NameRule.DNS1123_LABEL,
                        new Cause("FieldValueInvalid", "metadata.name", "Invalid value: \"a.b\": " + Messages.LABEL)),
                Arguments.of("a bad generateName is reported on its own path", "{name: a, generateName: Bad-}",
                        NameRule.DNS1123_SUBDOMAIN, new Cause("FieldValueInvalid", "metadata.generateName",
                                "Invalid value: \"Bad-\": " + Messages.SUBDOMAIN)),
                Arguments.of("a bad label key is reported on the labels map", "{name: a, labels: {'-k': v}}",
                        NameRule.DNS1123_SUBDOMAIN, new Cause("FieldValueInvalid", "metadata.labels",
                                "Invalid value: \"-k\": " + Messages.NAME_PART)),
                Arguments.of("a bad label value is reported on the labels map", "{name: a, labels: {k: '-v'}}",
                        NameRule.DNS1123_SUBDOMAIN, new Cause("FieldValueInvalid", "metadata.labels",
                                "Invalid value: \"-v\": " + Messages.LABEL_VALUE)),
                Arguments.of("a bad annotation key is reported on the annotations map",
                        "{name: a, annotations: {'a/b/c': v}}", NameRule.DNS1123_SUBDOMAIN,
                        new Cause("FieldValueInvalid", "metadata.annotations",
                                "Invalid value: \"a/b/c\": " + Messages.TOO_MANY_SLASHES)),
                Arguments.of("a negative generation is invalid", "{name: a, generation: -1}",
                        NameRule.DNS1123_SUBDOMAIN, new Cause("FieldValueInvalid", "metadata.generation",
                                "Invalid value: -1: must be greater than or equal to 0")));
    }

    @ParameterizedTest(name = "ObjectMeta: {0}")
    @MethodSource("objectMeta")
    void validatesObjectMeta(String description, String meta, NameRule rule, Cause expected) {
        assertThat(MetaValidation.validateObjectMeta(yaml(meta), true, rule)).containsExactly(expected);
    }

    @Test
    void annotationKeysAreCheckedLowerCased() {
        assertThat(MetaValidation.validateObjectMeta(yaml("{name: a, annotations: {Example.COM/Key: v}}"), true,
                NameRule.DNS1123_SUBDOMAIN)).isEmpty();
    }

    @Test
    void annotationsOver256KiBAreTooLong() {
        ObjectNode meta = yaml("{name: a}");
        meta.putObject("annotations").put("k", "x".repeat(262_144));
        assertThat(MetaValidation.validateObjectMeta(meta, true, NameRule.DNS1123_SUBDOMAIN)).containsExactly(
                new Cause("FieldValueTooLong", "metadata.annotations", "Too long: may not be more than 262144 bytes"));
        meta.putObject("annotations").put("k", "x".repeat(262_143));
        assertThat(MetaValidation.validateObjectMeta(meta, true, NameRule.DNS1123_SUBDOMAIN)).isEmpty();
    }

    @Test
    void namespaceIsForbiddenOnClusterScopedKinds() {
        assertThat(MetaValidation.validateObjectMeta(yaml("{name: a, namespace: x}"), false,
                NameRule.DNS1123_SUBDOMAIN)).containsExactly(
                new Cause("FieldValueForbidden", "metadata.namespace", "Forbidden: not allowed on this type"));
    }

    static Stream<Arguments> selectors() {
        return Stream.of(
                Arguments.of("In needs values", "{matchExpressions: [{key: a, operator: In}]}",
                        new Cause("FieldValueRequired", "sel.matchExpressions[0].values",
                                "Required value: must be specified when `operator` is 'In' or 'NotIn'")),
                Arguments.of("NotIn needs values", "{matchExpressions: [{key: a, operator: NotIn, values: []}]}",
                        new Cause("FieldValueRequired", "sel.matchExpressions[0].values",
                                "Required value: must be specified when `operator` is 'In' or 'NotIn'")),
                Arguments.of("Exists takes no values", "{matchExpressions: [{key: a, operator: Exists, values: [x]}]}",
                        new Cause("FieldValueForbidden", "sel.matchExpressions[0].values",
                                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")),
                Arguments.of("Gt is not a label selector operator",
                        "{matchExpressions: [{key: a, operator: Gt, values: ['1']}]}",
                        new Cause("FieldValueInvalid", "sel.matchExpressions[0].operator",
                                "Invalid value: \"Gt\": not a valid selector operator")),
                Arguments.of("a bad key is reported on the key", "{matchExpressions: [{key: '-a', operator: Exists}]}",
                        new Cause("FieldValueInvalid", "sel.matchExpressions[0].key",
                                "Invalid value: \"-a\": " + Messages.NAME_PART)),
                Arguments.of("a bad value is reported per index",
                        "{matchExpressions: [{key: a, operator: In, values: [ok, '-x']}]}",
                        new Cause("FieldValueInvalid", "sel.matchExpressions[0].values[1]",
                                "Invalid value: \"-x\": " + Messages.LABEL_VALUE)),
                Arguments.of("a bad matchLabels value is reported on matchLabels", "{matchLabels: {a: '-x'}}",
                        new Cause("FieldValueInvalid", "sel.matchLabels",
                                "Invalid value: \"-x\": " + Messages.LABEL_VALUE)));
    }

    @ParameterizedTest(name = "LabelSelector: {0}")
    @MethodSource("selectors")
    void validatesLabelSelectors(String description, String selector, Cause expected) {
        assertThat(MetaValidation.validateLabelSelector(yaml(selector), "sel")).containsExactly(expected);
    }

    @Test
    void aNullSelectorHasNothingToValidate() {
        assertThat(MetaValidation.validateLabelSelector(null, "sel")).isEmpty();
    }
}
