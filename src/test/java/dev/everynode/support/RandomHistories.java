package dev.everynode.support;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Property tests over random histories of steps (a plain harness instead of a property-testing library): each try
 * applies a random history to a fresh {@link Run}, which checks its property after every step and throws when it
 * does not hold. A failing history is shrunk before it is reported: cut after the failing step, then steps removed
 * (halves, quarters, ... single steps) and steps simplified (see {@link #simpler}) for as long as it still fails the
 * same way, within a budget of runs and seconds. The report gives the seed, which reruns the same histories:
 * {@code -Dhistories.seed=...}; {@code -Dhistories.tries=...} runs more (or fewer) of them.
 */
public final class RandomHistories {

    /** A world a history is applied to, fresh for each try (and each shrinking attempt). */
    public interface Run<S> extends AutoCloseable {

        /** Applies one step and checks the property after it; throws (an AssertionError) when it does not hold. */
        void apply(S step) throws Exception;

        /** Removes what the run wrote. */
        @Override
        void close();
    }

    private record Failure(int step, Throwable error) {}

    private static final int SHRINK_RUNS = 400;
    private static final long SHRINK_NANOS = 60_000_000_000L;

    private RandomHistories() {}

    /**
     * Applies {@code tries} random histories of 1 to {@code maxSteps} steps, each to a fresh run; fails with the
     * smallest failing history found.
     */
    public static <S> void check(String property, int tries, int maxSteps, Function<Random, S> steps,
                                 Supplier<? extends Run<S>> runs) {
        String fixed = System.getProperty("histories.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : new Random().nextLong();
        String more = System.getProperty("histories.tries");
        int n = more != null && !more.isBlank() ? Integer.parseInt(more.trim()) : tries;
        Random random = new Random(seed);
        long start = System.nanoTime();
        int applied = 0;
        for (int t = 1; t <= n; t++) {
            int length = 1 + random.nextInt(maxSteps);
            List<S> history = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                history.add(steps.apply(random));
            }
            Failure failure = run(history, runs);
            if (failure != null) {
                throw shrunk(property, seed, t, history, failure, runs);
            }
            applied += length;
        }
        System.out.printf("%s: %d histories, %d steps, seed %d, %d ms%n", property, n, applied, seed,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static <S> Failure run(List<S> history, Supplier<? extends Run<S>> runs) {
        try (Run<S> run = runs.get()) {
            for (int i = 0; i < history.size(); i++) {
                try {
                    run.apply(history.get(i));
                } catch (Exception | AssertionError e) {
                    return new Failure(i, e);
                }
            }
        }
        return null;
    }

    private static <S> AssertionError shrunk(String property, long seed, int attempt, List<S> original,
                                             Failure first, Supplier<? extends Run<S>> runs) {
        Class<?> kind = first.error().getClass();
        List<S> current = List.copyOf(original.subList(0, first.step() + 1));
        Failure failure = first;
        int budget = SHRINK_RUNS;
        long deadline = System.nanoTime() + SHRINK_NANOS;
        boolean progress = true;
        while (progress && budget > 0 && System.nanoTime() < deadline) {
            progress = false;
            for (int size = Math.max(1, current.size() / 2); size >= 1 && budget > 0; size /= 2) {
                for (int from = 0; from + size <= current.size() && budget > 0 && current.size() > 1; ) {
                    List<S> candidate = new ArrayList<>(current.subList(0, from));
                    candidate.addAll(current.subList(from + size, current.size()));
                    budget--;
                    Failure f = candidate.isEmpty() ? null : run(candidate, runs);
                    if (f != null && f.error().getClass() == kind) {
                        current = List.copyOf(candidate.subList(0, f.step() + 1));
                        failure = f;
                        progress = true;
                    } else {
                        from += size;
                    }
                }
            }
            for (int i = 0; i < current.size() && budget > 0; i++) {
                for (S simpler : simpler(current.get(i))) {
                    List<S> candidate = new ArrayList<>(current);
                    candidate.set(i, simpler);
                    budget--;
                    Failure f = run(candidate, runs);
                    if (f != null && f.error().getClass() == kind) {
                        current = List.copyOf(candidate.subList(0, f.step() + 1));
                        failure = f;
                        progress = true;
                        break;
                    }
                    if (budget == 0) {
                        break;
                    }
                }
            }
        }
        StringBuilder report = new StringBuilder();
        report.append(property).append(" failed on history ").append(attempt).append(" (seed ").append(seed)
                .append(", rerun with -Dhistories.seed=").append(seed).append("), shrunk from ")
                .append(original.size()).append(" to ").append(current.size()).append(" steps:\n");
        for (int i = 0; i < current.size(); i++) {
            report.append(String.format("  %2d. %s%n", i + 1, current.get(i)));
        }
        report.append("after step ").append(failure.step() + 1).append(": ").append(failure.error());
        System.out.println(report);
        return new AssertionError(report.toString(), failure.error());
    }

    /**
     * Simpler versions of a step that is a record: one component each time, an int towards 0 (0, then one less), a
     * boolean to false, an enum to its first constant. Other steps have none.
     */
    @SuppressWarnings("unchecked")
    static <S> List<S> simpler(S step) {
        List<S> out = new ArrayList<>();
        if (!step.getClass().isRecord()) {
            return out;
        }
        RecordComponent[] components = step.getClass().getRecordComponents();
        try {
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                components[i].getAccessor().setAccessible(true);
                values[i] = components[i].getAccessor().invoke(step);
                types[i] = components[i].getType();
            }
            Constructor<?> canonical = step.getClass().getDeclaredConstructor(types);
            canonical.setAccessible(true);
            for (int i = 0; i < components.length; i++) {
                for (Object smaller : smaller(values[i])) {
                    Object[] changed = values.clone();
                    changed[i] = smaller;
                    out.add((S) canonical.newInstance(changed));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot simplify " + step, e);
        }
        return out;
    }

    private static List<Object> smaller(Object value) {
        if (value instanceof Integer i && i > 0) {
            return i == 1 ? List.of(0) : List.of(0, i - 1);
        }
        if (value instanceof Boolean b && b) {
            return List.of(false);
        }
        if (value instanceof Enum<?> e && e.ordinal() > 0) {
            return List.of(e.getDeclaringClass().getEnumConstants()[0]);
        }
        return List.of();
    }
}
