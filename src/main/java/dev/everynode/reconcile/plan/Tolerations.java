package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Taint;
import dev.everynode.reconcile.plan.Model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/** Taint/toleration matching (core/v1 {@code ToleratesTaint}) and the default daemon tolerations. */
public final class Tolerations {

    static final String NO_SCHEDULE = "NoSchedule";
    static final String NO_EXECUTE = "NoExecute";

    private static final List<Toleration> ALWAYS = List.of(
            exists("node.kubernetes.io/not-ready", NO_EXECUTE),
            exists("node.kubernetes.io/unreachable", NO_EXECUTE),
            exists("node.kubernetes.io/disk-pressure", NO_SCHEDULE),
            exists("node.kubernetes.io/memory-pressure", NO_SCHEDULE),
            exists("node.kubernetes.io/pid-pressure", NO_SCHEDULE),
            exists("node.kubernetes.io/unschedulable", NO_SCHEDULE));

    private static final Toleration NETWORK_UNAVAILABLE = exists("node.kubernetes.io/network-unavailable", NO_SCHEDULE);

    private Tolerations() {}

    /**
     * The template tolerations followed by the default daemon tolerations that are not already present
     * ({@code AddOrUpdateDaemonPodTolerations}); network-unavailable is added only for hostNetwork pods.
     */
    public static List<Toleration> withDefaults(List<Toleration> templateTolerations, boolean hostNetwork) {
        List<Toleration> result = new ArrayList<>(templateTolerations == null ? List.of() : templateTolerations);
        List<Toleration> defaults = new ArrayList<>(ALWAYS);
        if (hostNetwork) {
            defaults.add(NETWORK_UNAVAILABLE);
        }
        for (Toleration toleration : defaults) {
            if (result.stream().noneMatch(existing -> sameToleration(existing, toleration))) {
                result.add(toleration);
            }
        }
        return List.copyOf(result);
    }

    /** Kubernetes {@code Toleration.ToleratesTaint}; null strings count as empty. */
    public static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = text(toleration.effect());
        if (!effect.isEmpty() && !effect.equals(text(taint.effect()))) {
            return false;
        }
        String key = text(toleration.key());
        if (!key.isEmpty() && !key.equals(text(taint.key()))) {
            return false;
        }
        return switch (text(toleration.operator())) {
            case "", "Equal" -> text(toleration.value()).equals(text(taint.value()));
            case "Exists" -> true;
            default -> false;
        };
    }

    /** The first taint passing {@code filter} that no toleration tolerates ({@code FindMatchingUntoleratedTaint}). */
    static Optional<Taint> firstUntolerated(List<Taint> taints, List<Toleration> tolerations, Predicate<Taint> filter) {
        if (taints == null) {
            return Optional.empty();
        }
        for (Taint taint : taints) {
            if (filter.test(taint) && tolerations.stream().noneMatch(t -> tolerates(t, taint))) {
                return Optional.of(taint);
            }
        }
        return Optional.empty();
    }

    // Kubernetes compares key, operator, value and effect (MatchToleration) and then the whole struct; our
    // record has no tolerationSeconds, so a match is always an identical toleration and nothing is replaced.
    private static boolean sameToleration(Toleration a, Toleration b) {
        return text(a.key()).equals(text(b.key()))
                && text(a.operator()).equals(text(b.operator()))
                && text(a.value()).equals(text(b.value()))
                && text(a.effect()).equals(text(b.effect()));
    }

    private static Toleration exists(String key, String effect) {
        return new Toleration(key, "Exists", "", effect);
    }

    private static String text(String s) {
        return Objects.requireNonNullElse(s, "");
    }
}
