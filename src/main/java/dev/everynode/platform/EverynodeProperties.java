package dev.everynode.platform;

import dev.everynode.platform.security.SecurityProperties;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every {@code everynode.*} setting, each default defined here once (the README's "Configuration" table lists the
 * same keys). Each branch is a bean of its own ({@link PropertiesConfig}): a class takes the part it reads.
 */
@ConfigurationProperties("everynode")
public record EverynodeProperties(@DefaultValue @NestedConfigurationProperty SecurityProperties security,
                                  @DefaultValue Nodes nodes, @DefaultValue Reconcile reconcile, @DefaultValue Agents agents,
                                  @DefaultValue Watch watch, @DefaultValue Http http,
                                  @DefaultValue Metrics metrics, @DefaultValue Gc gc) {

    /**
     * {@code everynode.nodes.*}: node heartbeats and the node lifecycle monitor.
     *
     * @param heartbeatInterval what agents are told (clamped to a third of the grace period)
     * @param gracePeriod silence before a node turns Ready=Unknown
     * @param monitorPeriod how often the node lifecycle monitor looks
     * @param terminationMargin a pod told to stop on a silent node goes after its grace period plus this
     */
    public record Nodes(@DefaultValue("10s") Duration heartbeatInterval, @DefaultValue("40s") Duration gracePeriod,
                        @DefaultValue("2s") Duration monitorPeriod,
                        @DefaultValue("30s") Duration terminationMargin) {

        /** The interval agents are told: an agent beating less often than a third of the grace would flap. */
        public Duration heartbeatIntervalWithinGrace() {
            Duration third = gracePeriod.dividedBy(3);
            return heartbeatInterval.compareTo(third) > 0 ? (third.isZero() ? Duration.ofSeconds(1) : third)
                    : heartbeatInterval;
        }
    }

    /**
     * {@code everynode.reconcile.*}.
     *
     * @param resyncPeriod periodic reconcile of every DaemonSet, a backstop only
     * @param burstLimit creates and deletes per pass
     * @param workers reconcile threads per replica (at least 1)
     * @param paused for tests only: no worker runs the queue and no periodic resync runs; keys are still queued
     *     (and deduplicated) and run only when a test drives them ({@code reconcile.ReconcileDriver})
     */
    public record Reconcile(@DefaultValue("30s") Duration resyncPeriod, @DefaultValue("10000") int burstLimit,
                            @DefaultValue("2") int workers, @DefaultValue("false") boolean paused) {}

    /**
     * {@code everynode.agents.*}: the agent protocol's database use.
     *
     * @param statusBatch most pod status reports written in one transaction
     * @param maxDbRequests agent requests using the database at once
     * @param dbWait how long an agent request waits for a database permit before a 503
     */
    public record Agents(@DefaultValue("1000") int statusBatch, @DefaultValue("8") int maxDbRequests,
                         @DefaultValue("2s") Duration dbWait) {}

    /**
     * {@code everynode.watch.*}.
     *
     * @param retention how long the watch log keeps changes (older resourceVersions get 410)
     * @param prunePeriod how often the watch log is pruned
     */
    public record Watch(@DefaultValue("10m") Duration retention, @DefaultValue("30s") Duration prunePeriod) {}

    /**
     * {@code everynode.http.*}: per-connection buffers (Tomcat's are 8 KiB each).
     *
     * @param socketBufferBytes socket read and write buffers
     * @param responseHeaderBytes response header buffer
     * @param responseBufferBytes response body buffer
     */
    public record Http(@DefaultValue("2048") int socketBufferBytes, @DefaultValue("4096") int responseHeaderBytes,
                       @DefaultValue("2048") int responseBufferBytes) {}

    /**
     * {@code everynode.metrics.*}.
     *
     * @param minInterval the kube-state-metrics families are computed at most this often, however often scraped
     */
    public record Metrics(@DefaultValue("5s") Duration minInterval) {}

    /**
     * {@code everynode.gc.*}.
     *
     * @param period how often the garbage collector looks for pods and revisions without owner or node
     */
    public record Gc(@DefaultValue("5s") Duration period) {}
}
