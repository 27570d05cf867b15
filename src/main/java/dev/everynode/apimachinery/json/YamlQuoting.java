package dev.everynode.apimachinery.json;

import java.util.regex.Pattern;
import tools.jackson.dataformat.yaml.util.StringQuotingChecker;

/**
 * When the YAML writer quotes a string: whenever a YAML reader would not read it back as that string, as
 * Kubernetes' writer (go-yaml) does, so that {@code resourceVersion: "309"} and an
 * annotation such as {@code example.com/generation: "7"} come back as strings from {@code kubectl get -o yaml}
 * piped into {@code kubectl replace -f -}. Beyond Jackson's defaults (booleans, null, YAML syntax) that is every
 * scalar go-yaml (YAML 1.1) or a YAML 1.2 reader resolves to a number, infinity, NaN, null or timestamp.
 */
final class YamlQuoting extends StringQuotingChecker.Default {

    private static final Pattern NOT_A_STRING = Pattern.compile(String.join("|",
            // integers and floats, with YAML 1.1's underscores
            "[-+]?(\\.[0-9][0-9_]*|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?",
            // hexadecimal, octal (0755, 0o755), binary
            "[-+]?0[xX][0-9a-fA-F_]+", "[-+]?0[oO][0-7_]+", "[-+]?0[bB][01_]+",
            // infinity, NaN, null
            "[-+]?\\.(inf|Inf|INF)", "\\.(nan|NaN|NAN)", "~",
            // YAML 1.1 sexagesimal numbers (1:30)
            "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?",
            // timestamps (creationTimestamp: "2026-12-04T21:19:15Z", as Kubernetes prints it)
            "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?"));

    static final YamlQuoting INSTANCE = new YamlQuoting();

    private YamlQuoting() {}

    @Override
    public boolean needToQuoteValue(String value) {
        return super.needToQuoteValue(value) || NOT_A_STRING.matcher(value).matches();
    }

    @Override
    public boolean needToQuoteName(String name) {
        return super.needToQuoteName(name) || NOT_A_STRING.matcher(name).matches();
    }
}
