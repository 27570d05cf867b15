package dev.everynode.apimachinery.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lexer and recursive-descent parser for label selector strings, a port of the parser in
 * k8s.io/apimachinery/pkg/labels/selector.go. Keeping the same token rules matters because kubectl passes
 * {@code -l} strings verbatim and users expect identical acceptance and error messages.
 */
final class SelectorParser {

    private enum Tok { IDENT, DOES_NOT_EXIST, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GT, LT, IN, NOT_IN, OPEN, CLOSE, COMMA,
        END, ERROR }

    private record Token(Tok tok, String lit) {
    }

    private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";
    private static final List<String> SYMBOLS = List.of("!", "!=", "(", ")", ",", "=", "==", ">", "<");

    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private SelectorParser(String s) {
        lex(s);
    }

    static List<LabelSelector.Requirement> parse(String s) {
        return new SelectorParser(s).parseAll();
    }

    private void lex(String s) {
        int i = 0;
        while (true) {
            while (i < s.length() && isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                tokens.add(new Token(Tok.END, ""));
                return;
            }
            int start = i;
            if (isSpecial(s.charAt(i))) {
                // Longest match over the known symbols, like the Go lexer's scanSpecialSymbol.
                String best = null;
                while (i < s.length() && isSpecial(s.charAt(i))) {
                    String candidate = s.substring(start, i + 1);
                    if (!SYMBOLS.contains(candidate)) {
                        break;
                    }
                    best = candidate;
                    i++;
                }
                if (best == null) {
                    tokens.add(new Token(Tok.ERROR, s.substring(start, start + 1)));
                    return;
                }
                tokens.add(new Token(symbolToken(best), best));
            } else {
                while (i < s.length() && !isWhitespace(s.charAt(i)) && !isSpecial(s.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(Tok.IDENT, s.substring(start, i)));
            }
        }
    }

    private static Tok symbolToken(String sym) {
        return switch (sym) {
            case "!" -> Tok.DOES_NOT_EXIST;
            case "!=" -> Tok.NOT_EQUALS;
            case "(" -> Tok.OPEN;
            case ")" -> Tok.CLOSE;
            case "," -> Tok.COMMA;
            case "=" -> Tok.EQUALS;
            case "==" -> Tok.DOUBLE_EQUALS;
            case ">" -> Tok.GT;
            default -> Tok.LT;
        };
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isSpecial(char c) {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }

    private Token lookahead() {
        return tokens.get(Math.min(pos, tokens.size() - 1));
    }

    private Token consume() {
        Token t = lookahead();
        if (pos < tokens.size() - 1) {
            pos++;
        }
        return t;
    }

    /** In operator position "in"/"notin" are keywords; everywhere else they are plain identifiers. */
    private Token consumeOperator() {
        Token t = consume();
        if (t.tok() == Tok.IDENT && t.lit().equals("in")) {
            return new Token(Tok.IN, t.lit());
        }
        if (t.tok() == Tok.IDENT && t.lit().equals("notin")) {
            return new Token(Tok.NOT_IN, t.lit());
        }
        return t;
    }

    private List<LabelSelector.Requirement> parseAll() {
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        while (true) {
            Token t = lookahead();
            switch (t.tok()) {
                case IDENT, DOES_NOT_EXIST -> {
                    reqs.add(parseRequirement());
                    Token next = consume();
                    if (next.tok() == Tok.END) {
                        return reqs;
                    }
                    if (next.tok() != Tok.COMMA) {
                        throw error("found '" + next.lit() + "', expected: ',' or 'end of string'");
                    }
                    Token after = lookahead();
                    if (after.tok() != Tok.IDENT && after.tok() != Tok.DOES_NOT_EXIST) {
                        throw error("found '" + after.lit() + "', expected: identifier after ','");
                    }
                }
                case END -> {
                    return reqs;
                }
                default -> throw error("found '" + t.lit() + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelSelector.Requirement parseRequirement() {
        LabelSelector.Operator op = null;
        Token t = consume();
        if (t.tok() == Tok.DOES_NOT_EXIST) {
            op = LabelSelector.Operator.DOES_NOT_EXIST;
            t = consume();
        }
        if (t.tok() != Tok.IDENT) {
            throw error("found '" + t.lit() + "', expected: identifier");
        }
        String key = t.lit();
        LabelValidation.requireValidKey(key);
        Tok next = lookahead().tok();
        if (next == Tok.END || next == Tok.COMMA) {
            return LabelSelector.Requirement.of(key, op == null ? LabelSelector.Operator.EXISTS : op, List.of());
        }
        if (op != null) {
            // "!a=b" is not a thing in Kubernetes either: after "!key" only ',' or the end may follow.
            throw error("found '" + lookahead().lit() + "', expected: ',' or 'end of string'");
        }
        Token opTok = consumeOperator();
        op = switch (opTok.tok()) {
            case IN -> LabelSelector.Operator.IN;
            case NOT_IN -> LabelSelector.Operator.NOT_IN;
            case EQUALS -> LabelSelector.Operator.EQUALS;
            case DOUBLE_EQUALS -> LabelSelector.Operator.DOUBLE_EQUALS;
            case NOT_EQUALS -> LabelSelector.Operator.NOT_EQUALS;
            case GT -> LabelSelector.Operator.GT;
            case LT -> LabelSelector.Operator.LT;
            default -> throw error("found '" + opTok.lit() + "', expected: " + BINARY_OPERATORS);
        };
        List<String> values = op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN
                ? parseValues() : parseExactValue();
        return LabelSelector.Requirement.of(key, op, values);
    }

    private List<String> parseValues() {
        Token t = consume();
        if (t.tok() != Tok.OPEN) {
            throw error("found '" + t.lit() + "' expected: '('");
        }
        Token next = lookahead();
        switch (next.tok()) {
            case IDENT, COMMA -> {
                Set<String> values = parseIdentifiersList();
                Token close = consume();
                if (close.tok() != Tok.CLOSE) {
                    throw error("found '" + close.lit() + "', expected: ')'");
                }
                return new ArrayList<>(values);
            }
            case CLOSE -> {
                consume();
                // "()" means the set holding the empty value, exactly as in Go.
                return List.of("");
            }
            default -> throw error("found '" + next.lit() + "', expected: ',', ')' or identifier");
        }
    }

    private Set<String> parseIdentifiersList() {
        Set<String> values = new TreeSet<>();
        while (true) {
            Token t = consume();
            switch (t.tok()) {
                case IDENT -> {
                    values.add(t.lit());
                    Token next = lookahead();
                    if (next.tok() == Tok.CLOSE) {
                        return values;
                    }
                    if (next.tok() != Tok.COMMA) {
                        throw error("found '" + next.lit() + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    // Empty members such as "(,a)" or "(a,,b)" stand for the empty label value.
                    if (values.isEmpty()) {
                        values.add("");
                    }
                    Tok next = lookahead().tok();
                    if (next == Tok.CLOSE) {
                        values.add("");
                        return values;
                    }
                    if (next == Tok.COMMA) {
                        consume();
                        values.add("");
                    }
                }
                default -> throw error("found '" + t.lit() + "', expected: ',', or identifier");
            }
        }
    }

    private List<String> parseExactValue() {
        Tok next = lookahead().tok();
        if (next == Tok.END || next == Tok.COMMA) {
            return List.of("");
        }
        Token t = consume();
        if (t.tok() == Tok.IDENT) {
            return List.of(t.lit());
        }
        throw error("found '" + t.lit() + "', expected: identifier");
    }

    private static IllegalArgumentException error(String msg) {
        return new IllegalArgumentException("unable to parse requirement: " + msg);
    }
}
