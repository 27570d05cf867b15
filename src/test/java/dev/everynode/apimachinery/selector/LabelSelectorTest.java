package dev.everynode.apimachinery.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.everynode.apimachinery.TestJson;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class LabelSelectorTest {

    private static JsonNode json(String singleQuoted) {
        return TestJson.json(singleQuoted);
    }

    /** "a=1;b=2" to a label map; "-" is the empty map. */
    static Map<String, String> labels(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!spec.equals("-")) {
            for (String kv : spec.split(";")) {
                String[] p = kv.split("=", 2);
                m.put(p[0], p[1]);
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an empty string selects everything                    | ''                          | ''
            blank input selects everything                        | '   '                       | ''
            single equality is kept                               | app=web                     | app=web
            double equals is kept as written                      | app==web                    | app==web
            inequality                                            | app!=web                    | app!=web
            whitespace around operators and commas is ignored     | ' app = web ,  tier != db ' | app=web,tier!=db
            requirements are sorted by key                        | z=1,a=2,m                   | a=2,m,z=1
            set values are sorted and deduplicated                | env in (prod, dev,prod)     | env in (dev,prod)
            notin prints with spaces                              | env notin (prod)            | env notin (prod)
            a bare key means exists                               | app                         | app
            a bang means does not exist                           | '!app'                      | '!app'
            a bang may be followed by whitespace                  | '! app'                     | '!app'
            prefixed keys are allowed                             | example.com/app=web         | example.com/app=web
            an empty exact value is allowed                       | app=                        | app=
            empty parentheses mean the empty value                | app in ()                   | app in ()
            empty members of a set mean the empty value           | 'app in (a,,b)'             | 'app in (,a,b)'
            in and notin are plain identifiers outside operators  | in=notin                    | in=notin
            greater-than and less-than on integers                | replicas>2,replicas<5       | replicas>2,replicas<5
            """)
    void parsesValidSelectors(String description, String input, String canonical) {
        assertThat(LabelSelector.parse(input).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a second equals sign                     | a=b=c           | found '=', expected: ',' or 'end of string'
            a trailing comma                         | a=b,            | found '', expected: identifier after ','
            a leading comma                          | ',a'            | found ',', expected: !, identifier, or 'end of string'
            a set without parentheses                | a in b          | found 'b' expected: '('
            an unclosed set                          | a in (b         | found '', expected: ',' or ')'
            a missing operator                       | a b             | found 'b', expected: in, notin, =, ==, !=, gt, lt
            two values after equals                  | a=b c           | found 'c', expected: ',' or 'end of string'
            a parenthesis as exact value             | a=(b)           | found '(', expected: identifier
            an extra closing parenthesis             | a in (b))       | found ')', expected: ',' or 'end of string'
            a negated key with a value               | '!a=b'          | found '=', expected: ',' or 'end of string'
            a key starting with a dash               | -a=b            | key: Invalid value: "-a": name part must consist of alphanumeric characters
            a value starting with a dash             | a=-b            | values[0]: Invalid value: "-b": a valid label must be an empty string
            a key with two slashes                   | a/b/c=d         | a qualified name must consist of alphanumeric characters
            an empty prefix                          | /a=b            | prefix part must be non-empty
            an upper-case prefix                     | Example.com/a=b | prefix part a lowercase RFC 1123 subdomain
            a non-integer greater-than operand       | a>x             | the value must be an integer
            a stray less-than sign                   | '<'             | found '<', expected: !, identifier, or 'end of string'
            """)
    void rejectsInvalidSelectors(String description, String input, String message) {
        assertThatThrownBy(() -> LabelSelector.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unable to parse requirement: ")
                .hasMessageContaining(message);
    }

    @Test
    void rejectsKeysLongerThan63Characters() {
        assertThatThrownBy(() -> LabelSelector.parse("a".repeat(64)))
                .hasMessageContaining("name part must be no more than 63 characters");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            equality matches the same value                   | app=web            | app=web;tier=fe | true
            equality fails on another value                   | app=web            | app=db          | false
            equality fails when the key is missing            | app=web            | -               | false
            double equals behaves like equals                 | app==web           | app=web         | true
            inequality matches another value                  | app!=web           | app=db          | true
            inequality fails on the same value                | app!=web           | app=web         | false
            inequality matches when the key is missing        | app!=web           | -               | true
            in matches a member                               | env in (dev,prod)  | env=prod        | true
            in fails on a non-member                          | env in (dev,prod)  | env=qa          | false
            in fails when the key is missing                  | env in (dev,prod)  | -               | false
            notin matches a non-member                        | env notin (dev)    | env=prod        | true
            notin fails on a member                           | env notin (dev)    | env=dev         | false
            notin matches when the key is missing             | env notin (dev)    | -               | true
            exists matches any value                          | app                | app=            | true
            exists fails when the key is missing              | app                | tier=fe         | false
            does-not-exist matches when the key is missing    | '!app'             | tier=fe         | true
            does-not-exist fails when the key is present      | '!app'             | app=web         | false
            comma means all requirements must hold            | app=web,tier=fe    | app=web;tier=be | false
            all requirements holding matches                  | app=web,tier=fe    | app=web;tier=fe | true
            an empty exact value matches an empty label       | app=               | app=            | true
            greater-than compares integers                    | n>2                | n=10            | true
            greater-than fails for non-integer labels         | n>2                | n=ten           | false
            less-than compares integers                       | n<2                | n=10            | false
            the empty selector matches everything             | ''                 | -               | true
            """)
    void matchesLabels(String description, String selector, String labelSpec, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(labels(labelSpec))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            matchLabels become equalities sorted by key    | {'matchLabels':{'name':'fluentd','app':'logs'}} | app=logs,name=fluentd
            In and NotIn expressions                       | {'matchExpressions':[{'key':'env','operator':'In','values':['b','a']},{'key':'tier','operator':'NotIn','values':['db']}]} | env in (a,b),tier notin (db)
            Exists and DoesNotExist expressions            | {'matchExpressions':[{'key':'b','operator':'Exists'},{'key':'a','operator':'DoesNotExist'}]} | '!a,b'
            labels and expressions are combined and sorted | {'matchLabels':{'z':'1'},'matchExpressions':[{'key':'a','operator':'Exists'}]} | a,z=1
            an empty object selects everything             | {}                                                  | ''
            """)
    void convertsJsonSelectors(String description, String selector, String canonical) {
        LabelSelector s = LabelSelector.fromJson(json(selector));
        assertThat(s.toString()).isEqualTo(canonical);
        assertThat(s.isNothing()).isFalse();
    }

    @Test
    void emptyJsonSelectorMatchesEverything() {
        LabelSelector s = LabelSelector.fromJson(json("{}"));
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.matches(Map.of("any", "thing"))).isTrue();
    }

    @Test
    void missingOrNullJsonSelectorMatchesNothing() {
        for (JsonNode n : new JsonNode[] {null, json("{}").path("selector"), json("null")}) {
            LabelSelector s = LabelSelector.fromJson(n);
            assertThat(s.isEmpty()).isFalse();
            assertThat(s.isNothing()).isTrue();
            assertThat(s.matches(Map.of())).isFalse();
            assertThat(s.matches(Map.of("name", "fluentd"))).isFalse();
        }
    }

    @Test
    void jsonSelectorMatchesLikeTheStringForm() {
        LabelSelector s = LabelSelector.fromJson(json(
                "{'matchLabels':{'name':'fluentd'},'matchExpressions':[{'key':'env','operator':'NotIn','values':['dev']}]}"));
        assertThat(s.matches(labels("name=fluentd;env=prod"))).isTrue();
        assertThat(s.matches(labels("name=fluentd"))).isTrue();
        assertThat(s.matches(labels("name=fluentd;env=dev"))).isFalse();
        assertThat(s.matches(labels("env=prod"))).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an unknown operator                  | {'matchExpressions':[{'key':'a','operator':'Equals','values':['b']}]} | "Equals" is not a valid label selector operator
            In without values                    | {'matchExpressions':[{'key':'a','operator':'In','values':[]}]}        | values set can't be empty
            Exists with values                   | {'matchExpressions':[{'key':'a','operator':'Exists','values':['b']}]} | values set must be empty for exists and does not exist
            an invalid matchLabels value         | {'matchLabels':{'a':'b c'}}                                        | a valid label must be an empty string
            an invalid matchLabels key           | {'matchLabels':{'a b':'c'}}                                        | name part must consist
            """)
    void rejectsInvalidJsonSelectors(String description, String selector, String message) {
        assertThatThrownBy(() -> LabelSelector.fromJson(json(selector)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void labelsOfReadsMetadataLabels() {
        assertThat(LabelSelector.labelsOf(json("{'name':'x','labels':{'a':'1','b':'2'}}")))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(LabelSelector.labelsOf(json("{'name':'x'}"))).isEmpty();
        assertThat(LabelSelector.labelsOf(null)).isEmpty();
    }
}
