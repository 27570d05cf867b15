package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.Candidate;
import dev.everynode.reconcile.plan.Model.PodView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Kubernetes' ClaimPods: the pods a DaemonSet controls are the owned pods its selector still matches and the
 * matching orphans, which it adopts (not while they terminate); owned pods it no longer matches are released.
 */
final class Claims {

    /** The claimed pods, and the adoptions and releases, each by pod name. */
    record Claim(List<PodView> pods, List<Action> actions) {}

    private Claims() {}

    static Claim of(List<Candidate> candidates) {
        List<PodView> claimed = new ArrayList<>();
        List<Action> release = new ArrayList<>();
        List<Action> adopt = new ArrayList<>();
        List<Candidate> sorted = candidates.stream().sorted(Comparator.comparing(c -> c.view().name())).toList();
        for (Candidate c : sorted) {
            if (c.owned() && c.matchesSelector()) {
                claimed.add(c.view());
            } else if (c.owned()) {
                release.add(new Action.ReleasePod(c.view().name()));
            } else if (c.matchesSelector() && !c.view().terminating()) {
                adopt.add(new Action.AdoptPod(c.view().name()));
                claimed.add(c.view());
            }
        }
        List<Action> actions = new ArrayList<>(release);
        actions.addAll(adopt);
        return new Claim(List.copyOf(claimed), List.copyOf(actions));
    }
}
