package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class StatusBuilderTest {

    private static final Instant T0 = Instant.parse("2026-11-28T01:00:00Z");

    private static StatusBuilder.ContainerView running(String name, boolean ready, int restarts) {
        return new StatusBuilder.ContainerView(name, "python:3", "", "process://42", ready, true, restarts,
                T0, null, null, null, null);
    }

    private static StatusBuilder.ContainerView waiting(String name, String reason, ObjectNode last) {
        return new StatusBuilder.ContainerView(name, "python:3", "", null, false, false, 0, null, reason,
                "why", null, last);
    }

    private static JsonNode condition(ObjectNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asString())) {
                return c;
            }
        }
        return null;
    }

    @Test
    void aRunningReadyPodLooksLikeKubeletReportsIt() {
        ObjectNode s = new StatusBuilder().build(List.of(running("web", true, 2)), "Always", "10.0.0.7", "10.0.0.7",
                T0, T0.plusSeconds(3));
        assertThat(s.path("phase").asString()).isEqualTo("Running");
        assertThat(s.path("hostIP").asString()).isEqualTo("10.0.0.7");
        assertThat(s.path("podIP").asString()).isEqualTo("10.0.0.7");
        assertThat(s.path("startTime").asString()).isEqualTo("2026-11-28T01:00:00Z");
        assertThat(condition(s, "Ready").path("status").asString()).isEqualTo("True");
        assertThat(condition(s, "Ready").path("lastTransitionTime").asString()).isEqualTo("2026-11-28T01:00:03Z");
        assertThat(condition(s, "ContainersReady").path("status").asString()).isEqualTo("True");
        assertThat(condition(s, "Initialized").path("status").asString()).isEqualTo("True");
        JsonNode c = s.path("containerStatuses").get(0);
        assertThat(c.path("name").asString()).isEqualTo("web");
        assertThat(c.path("image").asString()).isEqualTo("python:3");
        assertThat(c.path("ready").asBoolean()).isTrue();
        assertThat(c.path("started").asBoolean()).isTrue();
        assertThat(c.path("restartCount").asInt()).isEqualTo(2);
        assertThat(c.path("state").path("running").path("startedAt").asString()).isEqualTo("2026-11-28T01:00:00Z");
    }

    @Test
    void theReadyTransitionTimeMovesOnlyWhenReadyChanges() {
        StatusBuilder b = new StatusBuilder();
        b.build(List.of(running("web", false, 0)), "Always", "h", "h", T0, T0.plusSeconds(1));
        ObjectNode ready = b.build(List.of(running("web", true, 0)), "Always", "h", "h", T0, T0.plusSeconds(5));
        ObjectNode again = b.build(List.of(running("web", true, 0)), "Always", "h", "h", T0, T0.plusSeconds(9));
        assertThat(condition(ready, "Ready").path("lastTransitionTime").asString()).isEqualTo("2026-11-28T01:00:05Z");
        assertThat(again).isEqualTo(ready);
        ObjectNode unready = b.build(List.of(running("web", false, 0)), "Always", "h", "h", T0, T0.plusSeconds(12));
        assertThat(condition(unready, "Ready").path("status").asString()).isEqualTo("False");
        assertThat(condition(unready, "Ready").path("reason").asString()).isEqualTo("ContainersNotReady");
        assertThat(condition(unready, "Ready").path("lastTransitionTime").asString()).isEqualTo("2026-11-28T01:00:12Z");
    }

    @Test
    void configErrorsArePendingWithAWaitingReason() {
        ObjectNode s = new StatusBuilder().build(List.of(waiting("web", "CreateContainerConfigError", null)),
                "Always", "h", "h", T0, T0);
        assertThat(s.path("phase").asString()).isEqualTo("Pending");
        JsonNode waiting = s.path("containerStatuses").get(0).path("state").path("waiting");
        assertThat(waiting.path("reason").asString()).isEqualTo("CreateContainerConfigError");
        assertThat(waiting.path("message").asString()).isEqualTo("why");
    }

    @Test
    void aCrashLoopingContainerKeepsThePodRunningWithItsLastTermination() {
        ObjectNode last = PodWorker.terminated(1, "Error", null, T0, T0.plusSeconds(2), "process://7");
        ObjectNode s = new StatusBuilder().build(List.of(waiting("web", "CrashLoopBackOff", last),
                running("side", true, 0)), "Always", "h", "h", T0, T0.plusSeconds(3));
        assertThat(s.path("phase").asString()).isEqualTo("Running");
        assertThat(condition(s, "Ready").path("status").asString()).isEqualTo("False");
        JsonNode c = s.path("containerStatuses").get(0);
        assertThat(c.path("lastState").path("terminated").path("exitCode").asInt()).isEqualTo(1);
        assertThat(c.path("lastState").path("terminated").path("reason").asString()).isEqualTo("Error");
    }

    @Test
    void phasesOfFinishedContainers() {
        ObjectNode failed = PodWorker.terminated(2, "Error", null, T0, T0, null);
        ObjectNode ok = PodWorker.terminated(0, "Completed", null, T0, T0, null);
        var f = new StatusBuilder.ContainerView("a", "i", "", null, false, false, 0, null, null, null, failed, null);
        var s = new StatusBuilder.ContainerView("a", "i", "", null, false, false, 0, null, null, null, ok, null);
        assertThat(StatusBuilder.phase(List.of(f), "Never")).isEqualTo("Failed");
        assertThat(StatusBuilder.phase(List.of(s), "Never")).isEqualTo("Succeeded");
        assertThat(StatusBuilder.phase(List.of(s), "OnFailure")).isEqualTo("Succeeded");
    }
}
