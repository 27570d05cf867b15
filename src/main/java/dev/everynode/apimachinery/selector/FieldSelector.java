package dev.everynode.apimachinery.selector;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A parsed Kubernetes field selector (k8s.io/apimachinery/pkg/fields): {@code key=value}, {@code key==value},
 * {@code key!=value}, ANDed with commas. As in Go, a backslash escapes {@code \}, {@code ,} and {@code =} inside
 * values, and a field the object does not have compares as the empty string.
 */
public final class FieldSelector {

    /** One term; {@code negated} is true for {@code !=}. */
    public record Term(String field, String value, boolean negated) {

        boolean matches(Function<String, String> fieldValue) {
            String actual = fieldValue.apply(field);
            boolean equal = value.equals(actual == null ? "" : actual);
            return negated != equal;
        }

        @Override
        public String toString() {
            return field + (negated ? "!=" : "=") + escape(value);
        }
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses {@code ?fieldSelector=}; null or blank selects everything.
     *
     * @throws IllegalArgumentException for a term without operator or a bad escape
     */
    public static FieldSelector parse(String s) {
        if (s == null || s.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : splitTerms(s)) {
            if (part.isEmpty()) {
                continue;
            }
            Term t = splitTerm(part);
            if (t == null) {
                throw new IllegalArgumentException(
                        "invalid selector: '" + s + "'; can't understand '" + part + "'");
            }
            terms.add(t);
        }
        return new FieldSelector(terms);
    }

    /** Splits on commas that are not escaped; escapes are kept for the value unescaping later. */
    private static List<String> splitTerms(String s) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',') {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** Leftmost unescaped operator wins; at one position "!=" and "==" are preferred over "=", as in Go. */
    private static Term splitTerm(String term) {
        boolean escaped = false;
        for (int i = 0; i < term.length(); i++) {
            char c = term.charAt(i);
            if (escaped) {
                escaped = false;
                continue;
            }
            if (c == '\\') {
                escaped = true;
                continue;
            }
            String rest = term.substring(i);
            String field = term.substring(0, i);
            if (rest.startsWith("!=")) {
                return new Term(field, unescape(term.substring(i + 2)), true);
            }
            if (rest.startsWith("==")) {
                return new Term(field, unescape(term.substring(i + 2)), false);
            }
            if (rest.startsWith("=")) {
                return new Term(field, unescape(term.substring(i + 1)), false);
            }
        }
        return null;
    }

    private static String unescape(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                if (i + 1 >= v.length()) {
                    throw new IllegalArgumentException("invalid field selector: unterminated escape sequence in '"
                            + v + "'");
                }
                char next = v.charAt(++i);
                if (next != '\\' && next != ',' && next != '=') {
                    throw new IllegalArgumentException("invalid field selector: invalid escape sequence '\\" + next
                            + "' in '" + v + "'");
                }
                sb.append(next);
            } else if (c == ',' || c == '=') {
                throw new IllegalArgumentException("invalid field selector: unescaped '" + c + "' in '" + v + "'");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    /**
     * True when every term holds. {@code fieldValue} returns the object's value for a field path, or null when the
     * object has no such field (which then compares equal to the empty string).
     */
    public boolean matches(Function<String, String> fieldValue) {
        for (Term t : terms) {
            if (!t.matches(fieldValue)) {
                return false;
            }
        }
        return true;
    }

    /** The field paths the selector mentions, in order of appearance. */
    public Set<String> keys() {
        return terms.stream().map(Term::field).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /**
     * Rejects selectors on fields the resource does not index.
     *
     * @throws IllegalArgumentException {@code field label not supported: <key>} like kube-apiserver
     */
    public void requireSupported(Set<String> supported) {
        for (String key : keys()) {
            if (!supported.contains(key)) {
                throw new IllegalArgumentException("field label not supported: " + key);
            }
        }
    }

    /** The value of an {@code =} term on {@code field}, or null (fields.Selector.RequiresExactMatch). */
    public String requiresExactMatch(String field) {
        for (Term t : terms) {
            if (!t.negated() && t.field().equals(field)) {
                return t.value();
            }
        }
        return null;
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    @Override
    public String toString() {
        return terms.stream().map(Term::toString).collect(Collectors.joining(","));
    }
}
