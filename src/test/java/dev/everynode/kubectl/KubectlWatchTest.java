package dev.everynode.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kubectl get -w -l}: the real kubectl sees a pod leave its label selection. */
class KubectlWatchTest extends IntegrationTest {

    @TempDir
    Path dir;

    @Test
    void getPodsWatchWithALabelSelectorPrintsThePodLeavingTheSelection() {
        Kubectl kubectl = new Kubectl(dir);
        assertThat(api.post("/api/v1/nodes", Fixtures.node("node-1")).status()).isEqualTo(201);
        assertThat(api.post("/apis/apps/v1/namespaces/" + namespace + "/daemonsets", Fixtures.fluentd(namespace)).status())
                .isEqualTo(201);
        Await.until("the fluentd pod", Duration.ofSeconds(10), () -> pods("name=fluentd").size() == 1);
        String pod = pods("name=fluentd").get(0);

        Kubectl.Running watch = kubectl.start("get", "pods", "-n", namespace, "-w", "-l", "name=fluentd",
                "--output-watch-events");
        try {
            Await.until("kubectl lists the pod", Duration.ofSeconds(20), () -> watch.stdout().contains(pod));
            // Relabelled out of the DaemonSet's selector: the DaemonSet releases it and makes a new pod.
            assertThat(api.patch("/api/v1/namespaces/" + namespace + "/pods/" + pod, "application/merge-patch+json",
                    Json.parseObject("{\"metadata\":{\"labels\":{\"name\":\"debugging\"}}}")).status()).isEqualTo(200);
            Await.until("kubectl prints the pod leaving the selection", Duration.ofSeconds(10),
                    () -> watch.stdout().lines().anyMatch(l -> l.startsWith("DELETED") && l.contains(pod)));
            Await.until("and the replacement entering it", Duration.ofSeconds(10),
                    () -> watch.stdout().lines().anyMatch(l -> l.startsWith("ADDED") && !l.contains(pod)
                            && l.contains("fluentd-")));
        } finally {
            watch.stop();
        }
    }

    private java.util.List<String> pods(String selector) {
        return api.get("/api/v1/namespaces/" + namespace + "/pods?labelSelector=" + selector).json().path("items")
                .valueStream().filter(p -> !p.path("metadata").has("deletionTimestamp"))
                .map(p -> p.path("metadata").path("name").asString()).toList();
    }
}
