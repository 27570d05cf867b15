package dev.everynode.apimachinery;

/**
 * Published after a write commits: which object changed and how (ADDED, MODIFIED, DELETED). The reconciler
 * and the agents' long-polls listen; the table stays the truth, so a missed event costs a resync, not data.
 */
public record ObjectChanged(String kind, String namespace, String name, String type, String nodeName) {}
