package dev.everynode.apimachinery;

/**
 * A DaemonSet ("namespace/name") or, for {@link #ALL}, every DaemonSet needs a reconcile pass. Sent by
 * PostgreSQL to every replica (NOTIFY everynode_reconcile, db/migration V7) after a DaemonSet or node changed,
 * whichever replica wrote it; also published when the notification channel was lost and notices may be missing.
 */
public record ReconcileNotice(String key) {

    public static final String ALL = "*";

    public boolean all() {
        return ALL.equals(key);
    }
}
