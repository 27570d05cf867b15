package dev.everynode.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Messages;
import dev.everynode.apimachinery.errors.Cause;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class DaemonSetValidationTest {

    private static final String P = "/spec/template/spec";
    private static final String F = "spec.template.spec";
    private static final String INVALID = "FieldValueInvalid";
    private static final String REQUIRED = "FieldValueRequired";
    private static final String FORBIDDEN = "FieldValueForbidden";
    private static final String UNSUPPORTED = "FieldValueNotSupported";
    private static final String TERMS = "/affinity";
    private static final String TERMS_PATH = F + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            + ".nodeSelectorTerms";

    private static Arguments rule(String description, String pointer, String value, String reason, String field,
            String message) {
        return Arguments.of(description, pointer, value, new Cause(reason, field, message));
    }

    /** An affinity whose single required term holds the given requirement list under {@code kind}. */
    private static String term(String kind, String requirements) {
        return "{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{" + kind + ": "
                + requirements + "}]}}}";
    }

    private static Arguments strategy(String description, String rollingUpdate, String field, String reason,
            String message) {
        return rule(description, "/spec/updateStrategy", "{type: RollingUpdate, rollingUpdate: " + rollingUpdate + "}",
                reason, "spec.updateStrategy.rollingUpdate." + field, message);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                rule("a name with an underscore is not a DNS subdomain", "/metadata/name", "Bad_Name", INVALID,
                        "metadata.name", "Invalid value: \"Bad_Name\": " + Messages.SUBDOMAIN),
                rule("a missing name is required", "/metadata/name", null, REQUIRED, "metadata.name",
                        "Required value: name or generateName is required"),
                rule("a bad object label value is reported on metadata.labels", "/metadata/labels/k8s-app", "'-x'",
                        INVALID, "metadata.labels", "Invalid value: \"-x\": " + Messages.LABEL_VALUE),
                rule("a bad annotation key is reported on metadata.annotations", "/metadata/annotations/-x", "v",
                        INVALID, "metadata.annotations", "Invalid value: \"-x\": " + Messages.NAME_PART),
                rule("a missing selector is required", "/spec/selector", null, REQUIRED, "spec.selector",
                        "Required value"),
                rule("a missing selector matches no template labels", "/spec/selector", null, INVALID,
                        "spec.template.metadata.labels",
                        "Invalid value: {\"name\":\"fluentd\"}: `selector` does not match template `labels`"),
                rule("a selector that misses the template labels is rejected", "/spec/selector/matchLabels/name",
                        "other", INVALID, "spec.template.metadata.labels",
                        "Invalid value: {\"name\":\"fluentd\"}: `selector` does not match template `labels`"),
                rule("an empty selector is invalid for a daemonset", "/spec/selector", "{}", INVALID, "spec.selector",
                        "Invalid value: {}: empty selector is invalid for daemonset"),
                rule("a selector In expression needs values", "/spec/selector/matchExpressions",
                        "[{key: name, operator: In}]", REQUIRED, "spec.selector.matchExpressions[0].values",
                        "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
                rule("a selector Exists expression takes no values", "/spec/selector/matchExpressions",
                        "[{key: name, operator: Exists, values: [a]}]", FORBIDDEN,
                        "spec.selector.matchExpressions[0].values",
                        "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
                rule("a selector Gt expression is not a valid operator", "/spec/selector/matchExpressions",
                        "[{key: name, operator: Gt, values: ['1']}]", INVALID,
                        "spec.selector.matchExpressions[0].operator", "Invalid value: \"Gt\": not a valid selector operator"),
                rule("a template needs at least one container", P + "/containers", "[]", REQUIRED, F + ".containers",
                        "Required value"),
                rule("a container needs a name", P + "/containers/0/name", null, REQUIRED, F + ".containers[0].name",
                        "Required value"),
                rule("a container name must be a DNS label", P + "/containers/0/name", "Fluentd", INVALID,
                        F + ".containers[0].name", "Invalid value: \"Fluentd\": " + Messages.LABEL),
                rule("container names are unique", P + "/containers", "[{name: a, image: x}, {name: a, image: y}]",
                        "FieldValueDuplicate", F + ".containers[1].name", "Duplicate value: \"a\""),
                rule("init container names may not repeat container names", P + "/initContainers",
                        "[{name: fluentd, image: busybox}]", "FieldValueDuplicate", F + ".initContainers[0].name",
                        "Duplicate value: \"fluentd\""),
                rule("a container needs an image", P + "/containers/0/image", null, REQUIRED,
                        F + ".containers[0].image", "Required value"),
                rule("restartPolicy Never is not supported", P + "/restartPolicy", "Never", UNSUPPORTED,
                        F + ".restartPolicy", "Unsupported value: \"Never\": supported values: \"Always\""),
                rule("an unknown restartPolicy fails the pod check too", P + "/restartPolicy", "Sometimes",
                        UNSUPPORTED, F + ".restartPolicy",
                        "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                rule("activeDeadlineSeconds is forbidden", P + "/activeDeadlineSeconds", "10", FORBIDDEN,
                        F + ".activeDeadlineSeconds", "Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"),
                rule("a negative minReadySeconds is invalid", "/spec/minReadySeconds", "-1", INVALID,
                        "spec.minReadySeconds", "Invalid value: -1: must be greater than or equal to 0"),
                rule("a negative revisionHistoryLimit is invalid", "/spec/revisionHistoryLimit", "-1", INVALID,
                        "spec.revisionHistoryLimit", "Invalid value: -1: must be greater than or equal to 0"),
                rule("a negative terminationGracePeriodSeconds is invalid", P + "/terminationGracePeriodSeconds",
                        "-1", INVALID, F + ".terminationGracePeriodSeconds",
                        "Invalid value: -1: must be greater than or equal to 0"),
                rule("an unknown update strategy is not supported", "/spec/updateStrategy", "{type: Recreate}",
                        UNSUPPORTED, "spec.updateStrategy",
                        "Unsupported value: {\"type\":\"Recreate\"}: supported values: \"RollingUpdate\", \"OnDelete\""),
                strategy("maxUnavailable must be a percent string", "{maxUnavailable: 50x}", "maxUnavailable",
                        INVALID, "Invalid value: \"50x\": " + Messages.PERCENT),
                strategy("maxUnavailable must not be negative", "{maxUnavailable: -1}", "maxUnavailable", INVALID,
                        "Invalid value: -1: must be greater than or equal to 0"),
                strategy("maxUnavailable must not exceed 100%", "{maxUnavailable: '150%'}", "maxUnavailable",
                        INVALID, "Invalid value: \"150%\": must not be greater than 100%"),
                strategy("maxSurge must not exceed 100%", "{maxUnavailable: 0, maxSurge: '101%'}", "maxSurge",
                        INVALID, "Invalid value: \"101%\": must not be greater than 100%"),
                strategy("maxSurge may not be set with a non-zero maxUnavailable", "{maxUnavailable: 1, maxSurge: 1}",
                        "maxSurge", INVALID, "Invalid value: 1: may not be set when maxUnavailable is non-zero"),
                strategy("a default maxUnavailable counts as non-zero", "{maxSurge: '10%'}", "maxSurge", INVALID,
                        "Invalid value: \"10%\": may not be set when maxUnavailable is non-zero"),
                strategy("maxUnavailable and maxSurge may not both be zero", "{maxUnavailable: 0, maxSurge: '0%'}",
                        "maxUnavailable", REQUIRED, "Required value: cannot be 0 when maxSurge is 0"),
                strategy("maxSurge must be an integer or percentage", "{maxUnavailable: 0, maxSurge: true}",
                        "maxSurge", INVALID, "Invalid value: true: must be an integer or percentage (e.g '5%')"),
                rule("a bad template label value is reported on the template labels",
                        "/spec/template/metadata/labels/extra", "'-x'", INVALID, "spec.template.metadata.labels",
                        "Invalid value: \"-x\": " + Messages.LABEL_VALUE),
                rule("a nodeSelector key must be a qualified name", P + "/nodeSelector", "{'a/b/c': x}", INVALID,
                        F + ".nodeSelector", "Invalid value: \"a/b/c\": " + Messages.TOO_MANY_SLASHES),
                rule("a nodeSelector value must be a label value", P + "/nodeSelector", "{disk: '-ssd'}", INVALID,
                        F + ".nodeSelector", "Invalid value: \"-ssd\": " + Messages.LABEL_VALUE),
                rule("required node affinity needs a term", P + TERMS,
                        "{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}",
                        REQUIRED, TERMS_PATH, "Required value: must have at least one node selector term"),
                rule("node affinity In needs values", P + TERMS, term("matchExpressions", "[{key: a, operator: In}]"),
                        REQUIRED, TERMS_PATH + "[0].matchExpressions[0].values",
                        "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
                rule("node affinity DoesNotExist takes no values", P + TERMS,
                        term("matchExpressions", "[{key: a, operator: DoesNotExist, values: [x]}]"), FORBIDDEN,
                        TERMS_PATH + "[0].matchExpressions[0].values",
                        "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
                rule("node affinity Gt takes exactly one value", P + TERMS,
                        term("matchExpressions", "[{key: a, operator: Gt, values: ['1', '2']}]"), REQUIRED,
                        TERMS_PATH + "[0].matchExpressions[0].values",
                        "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"),
                rule("node affinity rejects unknown operators", P + TERMS,
                        term("matchExpressions", "[{key: a, operator: Near}]"), INVALID,
                        TERMS_PATH + "[0].matchExpressions[0].operator",
                        "Invalid value: \"Near\": not a valid selector operator"),
                rule("node affinity keys must be qualified names", P + TERMS,
                        term("matchExpressions", "[{key: '-a', operator: Exists}]"), INVALID,
                        TERMS_PATH + "[0].matchExpressions[0].key", "Invalid value: \"-a\": " + Messages.NAME_PART),
                rule("node field selectors only know metadata.name", P + TERMS,
                        term("matchFields", "[{key: metadata.labels, operator: In, values: [a]}]"), INVALID,
                        TERMS_PATH + "[0].matchFields[0].key",
                        "Invalid value: \"metadata.labels\": not a valid field selector key"),
                rule("node field selectors take exactly one value", P + TERMS,
                        term("matchFields", "[{key: metadata.name, operator: In, values: [a, b]}]"), REQUIRED,
                        TERMS_PATH + "[0].matchFields[0].values", "Required value: must be only one value when "
                                + "`operator` is 'In' or 'NotIn' for node field selector"),
                rule("node field selectors only allow In and NotIn", P + TERMS,
                        term("matchFields", "[{key: metadata.name, operator: Exists}]"), INVALID,
                        TERMS_PATH + "[0].matchFields[0].operator",
                        "Invalid value: \"Exists\": not a valid selector operator"),
                rule("a toleration without key must use Exists", P + "/tolerations", "[{operator: Equal, value: x}]",
                        INVALID, F + ".tolerations[0].operator", "Invalid value: \"Equal\": operator must be Exists "
                                + "when `key` is empty, which means \"match all values and all keys\""),
                rule("an Exists toleration takes no value", P + "/tolerations",
                        "[{operator: Exists}, {key: k, operator: Exists, value: v}]", INVALID,
                        F + ".tolerations[1].operator", "Invalid value: {\"key\":\"k\",\"operator\":\"Exists\","
                                + "\"value\":\"v\"}: value must be empty when `operator` is 'Exists'"),
                rule("tolerationSeconds requires NoExecute", P + "/tolerations",
                        "[{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]", INVALID,
                        F + ".tolerations[0].effect", "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
                                + "`tolerationSeconds` is set"),
                rule("a toleration effect must be known", P + "/tolerations",
                        "[{key: k, operator: Exists, effect: NoRun}]", UNSUPPORTED, F + ".tolerations[0].effect",
                        "Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", "
                                + "\"NoExecute\""),
                rule("a toleration operator must be known", P + "/tolerations", "[{operator: Exists}, {key: k, "
                        + "operator: Gt}]", UNSUPPORTED, F + ".tolerations[1].operator",
                        "Unsupported value: \"Gt\": supported values: \"Equal\", \"Exists\""),
                rule("an Equal toleration value must be a label value", P + "/tolerations",
                        "[{key: k, value: '-v'}]", INVALID, F + ".tolerations[0].operator",
                        "Invalid value: \"-v\": " + Messages.LABEL_VALUE),
                rule("containerPort is required", P + "/containers/0/ports", "[{containerPort: 0}]", REQUIRED,
                        F + ".containers[0].ports[0].containerPort", "Required value"),
                rule("containerPort must be a port number", P + "/containers/0/ports", "[{containerPort: 70000}]",
                        INVALID, F + ".containers[0].ports[0].containerPort",
                        "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                rule("a port protocol must be TCP, UDP or SCTP", P + "/containers/0/ports",
                        "[{containerPort: 80, protocol: HTTP}]", UNSUPPORTED, F + ".containers[0].ports[0].protocol",
                        "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                rule("volume names are unique", P + "/volumes/1/name", "varlog", "FieldValueDuplicate",
                        F + ".volumes[1].name", "Duplicate value: \"varlog\""),
                rule("volume names are DNS labels", P + "/volumes/0/name", "Var_Log", INVALID, F + ".volumes[0].name",
                        "Invalid value: \"Var_Log\": " + Messages.LABEL),
                rule("a volume needs a source", P + "/volumes/0", "{name: varlog}", REQUIRED, F + ".volumes[0]",
                        "Required value: must specify a volume type"),
                rule("a volume mount must name a declared volume", P + "/containers/0/volumeMounts/0/name", "x",
                        "FieldValueNotFound", F + ".containers[0].volumeMounts[0].name", "Not found: \"x\""),
                rule("mount paths are unique per container", P + "/containers/0/volumeMounts/1/mountPath",
                        "/var/log", INVALID, F + ".containers[0].volumeMounts[1].mountPath",
                        "Invalid value: \"/var/log\": must be unique"),
                rule("env var names may not start with a digit", P + "/containers/0/env", "[{name: 1ABC, value: x}]",
                        INVALID, F + ".containers[0].env[0].name", "Invalid value: \"1ABC\": " + Messages.ENV_NAME),
                rule("hostNetwork must be a boolean", P + "/hostNetwork", "'yes'", INVALID, F + ".hostNetwork",
                        "Invalid value: \"yes\": must be a boolean"),
                rule("an unknown dnsPolicy is not supported", P + "/dnsPolicy", "Sometimes", UNSUPPORTED,
                        F + ".dnsPolicy", "Unsupported value: \"Sometimes\": supported values: \"ClusterFirst\", "
                                + "\"ClusterFirstWithHostNet\", \"Default\", \"None\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void reportsTheKubernetesFieldError(String description, String pointer, String value, Cause expected) {
        ObjectNode ds = Fixtures.set(Fixtures.fluentd(), pointer, value);
        assertThat(DaemonSetValidation.validate(ds)).contains(expected);
        DaemonSetValidation.applyDefaults(ds);
        assertThat(DaemonSetValidation.validate(ds)).as("after defaulting").contains(expected);
    }

    @Test
    void anExplicitRollingUpdateStrategyNeedsRollingUpdateUntilDefaultingFillsIt() {
        ObjectNode ds = Fixtures.set(Fixtures.fluentd(), "/spec/updateStrategy", "{type: RollingUpdate}");
        assertThat(DaemonSetValidation.validate(ds)).containsExactly(
                new Cause(REQUIRED, "spec.updateStrategy.rollingUpdate", "Required value"));
        DaemonSetValidation.applyDefaults(ds);
        assertThat(DaemonSetValidation.validate(ds)).isEmpty();
    }

    @Test
    void theFluentdManifestIsValidRawAndDefaulted() {
        ObjectNode ds = Fixtures.fluentd();
        assertThat(DaemonSetValidation.validate(ds)).isEmpty();
        DaemonSetValidation.applyDefaults(ds);
        assertThat(DaemonSetValidation.validate(ds)).isEmpty();
    }

    @Test
    void validSurgeAndOnDeleteStrategiesPass() {
        ObjectNode surge = Fixtures.set(Fixtures.fluentd(), "/spec/updateStrategy",
                "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: '100%'}}");
        ObjectNode onDelete = Fixtures.set(Fixtures.fluentd(), "/spec/updateStrategy", "{type: OnDelete}");
        assertThat(DaemonSetValidation.validate(surge)).isEmpty();
        assertThat(DaemonSetValidation.validate(onDelete)).isEmpty();
    }

    @Test
    void theDeprecatedTemplateGenerationAnnotationIsAccepted() {
        ObjectNode ds = Fixtures.set(Fixtures.fluentd(), "/metadata/annotations",
                "{deprecated.daemonset.template.generation: '3'}");
        assertThat(DaemonSetValidation.validate(ds)).isEmpty();
    }
}
