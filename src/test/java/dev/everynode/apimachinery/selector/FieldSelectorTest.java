package dev.everynode.apimachinery.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldSelectorTest {

    private static final Map<String, String> POD = Map.of(
            "metadata.name", "fluentd-abc", "metadata.namespace", "kube-system", "spec.nodeName", "node-1",
            "status.phase", "Running");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            equality on a present field matches        | spec.nodeName=node-1                        | true
            double equals is equality                  | spec.nodeName==node-1                       | true
            equality on another value fails            | spec.nodeName=node-2                        | false
            inequality on another value matches        | status.phase!=Pending                       | true
            inequality on the same value fails         | status.phase!=Running                       | false
            comma requires every term                  | metadata.namespace=kube-system,spec.nodeName=node-2 | false
            every term holding matches                 | metadata.namespace=kube-system,metadata.name=fluentd-abc | true
            an unknown field compares as empty         | spec.unknown=                               | true
            an unknown field differs from a value      | spec.unknown!=x                             | true
            the empty selector matches everything      | ''                                          | true
            """)
    void matchesFields(String description, String selector, boolean expected) {
        assertThat(FieldSelector.parse(selector).matches(POD::get)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            single term                       | spec.nodeName=node-1          | spec.nodeName=node-1
            double equals prints as equals    | a==b                          | a=b
            inequality                        | a!=b                          | a!=b
            escaped comma stays in the value  | 'a=x\\,y,b=z'                 | 'a=x\\,y,b=z'
            empty terms are skipped           | 'a=b,,c=d'                    | 'a=b,c=d'
            """)
    void printsCanonicalForm(String description, String selector, String canonical) {
        assertThat(FieldSelector.parse(selector).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a term without operator   | spec.nodeName           | invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'
            an invalid escape         | 'a=b\\c'                | invalid escape sequence
            an unescaped equals sign  | a=b=c                   | unescaped '='
            """)
    void rejectsInvalidSelectors(String description, String selector, String message) {
        assertThatThrownBy(() -> FieldSelector.parse(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void escapedValuesAreUnescapedForMatching() {
        FieldSelector s = FieldSelector.parse("metadata.name=a\\,b\\=c");
        assertThat(s.matches(Map.of("metadata.name", "a,b=c")::get)).isTrue();
    }

    @Test
    void keysAndExactMatchExposeTheTerms() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=node-1,status.phase!=Failed");
        assertThat(s.keys()).containsExactly("spec.nodeName", "status.phase");
        assertThat(s.requiresExactMatch("spec.nodeName")).isEqualTo("node-1");
        assertThat(s.requiresExactMatch("status.phase")).isNull();
    }

    @Test
    void unsupportedFieldsAreRejectedLikeKubernetes() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=node-1,spec.bogus=x");
        assertThatThrownBy(() -> s.requireSupported(Set.of("spec.nodeName", "metadata.name")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field label not supported: spec.bogus");
        FieldSelector.parse("spec.nodeName=node-1").requireSupported(Set.of("spec.nodeName"));
    }
}
