package dev.everynode.apimachinery.patch;

import static dev.everynode.apimachinery.TestJson.json;
import static dev.everynode.apimachinery.TestJson.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Definitions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The exact patch bodies kubectl 1.32 sends (docs/kubectl-wire-protocol.md sections 7.2, 7.8 and 7.9). */
class KubectlPatchBodiesTest {

    private static final PatchSchema DS = Definitions.patchSchema("DaemonSet");
    private static final PatchSchema NODE = Definitions.patchSchema("Node");

    private static final String CONTAINER = "{'image':'fluent/fluentd:v1.16-1','name':'fluentd',"
            + "'resources':{'limits':{'memory':'200Mi'},'requests':{'cpu':'100m','memory':'200Mi'}},"
            + "'volumeMounts':[{'mountPath':'/var/log','name':'varlog'},"
            + "{'mountPath':'/var/lib/docker/containers','name':'varlibdockercontainers','readOnly':true}],"
            + "'imagePullPolicy':'IfNotPresent','terminationMessagePath':'/dev/termination-log',"
            + "'terminationMessagePolicy':'File'}";

    private static ObjectNode liveDaemonSet() {
        return obj("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'fluentd','namespace':'kube-system'},"
                + "'spec':{'selector':{'matchLabels':{'name':'fluentd'}},"
                + "'template':{'metadata':{'labels':{'name':'fluentd'}},'spec':{'containers':[" + CONTAINER + "],"
                + "'terminationGracePeriodSeconds':30,"
                + "'tolerations':[{'effect':'NoSchedule','key':'node-role.kubernetes.io/control-plane','operator':'Exists'}],"
                + "'volumes':[{'hostPath':{'path':'/var/log','type':''},'name':'varlog'},"
                + "{'hostPath':{'path':'/var/lib/docker/containers','type':''},'name':'varlibdockercontainers'}],"
                + "'restartPolicy':'Always','dnsPolicy':'ClusterFirst'}},"
                + "'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':1,'maxSurge':0}}}}");
    }

    @Test
    void clientSideApplyOfANewImageChangesOnlyTheImageAndTheAnnotation() {
        ObjectNode patch = obj("{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}\\n'}},"
                + "'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'fluentd'}],"
                + "'containers':[{'image':'fluent/fluentd:v1.17-1','name':'fluentd'}]}}}}");
        ObjectNode result = StrategicMergePatch.apply(liveDaemonSet(), patch, DS);

        ObjectNode expected = liveDaemonSet();
        ((ObjectNode) expected.path("spec").path("template").path("spec").path("containers").get(0))
                .put("image", "fluent/fluentd:v1.17-1");
        ((ObjectNode) expected.path("metadata")).putObject("annotations")
                .put("kubectl.kubernetes.io/last-applied-configuration", "{}\n");
        assertThat(result).isEqualTo(expected);
    }

    @Test
    void clientSideApplyOfABiggerEditUsesEveryDirective() {
        ObjectNode patch = obj("""
                {'spec':{'template':{'spec':{
                   '$setElementOrder/containers':[{'name':'fluentd'},{'name':'sidecar'}],
                   '$setElementOrder/volumes':[{'name':'varlibdockercontainers'}],
                   'containers':[{'$setElementOrder/volumeMounts':[{'mountPath':'/var/lib/docker/containers'}],
                                  'env':[{'name':'FLUENT_UID','value':'0'}],'image':'fluent/fluentd:v1.17-1','name':'fluentd',
                                  'resources':null,
                                  'volumeMounts':[{'mountPath':'/var/lib/docker/containers','name':'varlibdockercontainers','readOnly':true},
                                                  {'$patch':'delete','mountPath':'/var/log'}]},
                                 {'image':'busybox','name':'sidecar'}],
                   'terminationGracePeriodSeconds':null,'tolerations':null,
                   'volumes':[{'hostPath':{'path':'/var/lib/docker/containers'},'name':'varlibdockercontainers'},
                              {'$patch':'delete','name':'varlog'}]}},
                  'updateStrategy':{'type':'OnDelete'}}}
                """);
        ObjectNode result = StrategicMergePatch.apply(liveDaemonSet(), patch, DS);

        assertThat(result.path("spec")).isEqualTo(json("""
                {'selector':{'matchLabels':{'name':'fluentd'}},
                 'template':{'metadata':{'labels':{'name':'fluentd'}},'spec':{
                   'containers':[{'image':'fluent/fluentd:v1.17-1','name':'fluentd',
                                  'volumeMounts':[{'mountPath':'/var/lib/docker/containers','name':'varlibdockercontainers','readOnly':true}],
                                  'imagePullPolicy':'IfNotPresent','terminationMessagePath':'/dev/termination-log',
                                  'terminationMessagePolicy':'File','env':[{'name':'FLUENT_UID','value':'0'}]},
                                 {'image':'busybox','name':'sidecar'}],
                   'volumes':[{'hostPath':{'path':'/var/lib/docker/containers','type':''},'name':'varlibdockercontainers'}],
                   'restartPolicy':'Always','dnsPolicy':'ClusterFirst'}},
                 'updateStrategy':{'type':'OnDelete','rollingUpdate':{'maxUnavailable':1,'maxSurge':0}}}
                """));
        assertThat(result.toString()).doesNotContain("$setElementOrder", "$patch");
    }

    @Test
    void cordonAndUncordonSetAndClearUnschedulable() {
        ObjectNode node = obj("{'kind':'Node','metadata':{'name':'node-1'},'spec':{'podCIDR':'10.0.0.0/24'}}");
        ObjectNode cordoned = StrategicMergePatch.apply(node, obj("{'spec':{'unschedulable':true}}"), NODE);
        assertThat(cordoned.path("spec")).isEqualTo(json("{'podCIDR':'10.0.0.0/24','unschedulable':true}"));

        ObjectNode uncordoned = StrategicMergePatch.apply(cordoned, obj("{'spec':{'unschedulable':null}}"), NODE);
        assertThat(uncordoned).isEqualTo(node);
    }

    @Test
    void taintSendsTheWholeListWhichReplacesTheOldOne() {
        ObjectNode node = obj("{'spec':{'taints':[{'effect':'NoExecute','key':'old','value':'x'}]}}");
        ObjectNode tainted = StrategicMergePatch.apply(node, obj(
                "{'spec':{'taints':[{'effect':'NoExecute','key':'old','value':'x'},"
                        + "{'effect':'NoSchedule','key':'key','value':'value'}]}}"), NODE);
        assertThat(tainted.path("spec").path("taints")).hasSize(2);

        ObjectNode single = StrategicMergePatch.apply(obj("{'spec':{}}"),
                obj("{'spec':{'taints':[{'effect':'NoSchedule','key':'key','value':'value'}]}}"), NODE);
        assertThat(single).isEqualTo(obj("{'spec':{'taints':[{'effect':'NoSchedule','key':'key','value':'value'}]}}"));

        ObjectNode untainted = StrategicMergePatch.apply(single, obj("{'spec':{'taints':null}}"), NODE);
        assertThat(untainted).isEqualTo(obj("{'spec':{}}"));
    }

    @Test
    void rolloutRestartAddsTheTemplateAnnotation() {
        ObjectNode result = StrategicMergePatch.apply(liveDaemonSet(), obj("{'spec':{'template':{'metadata':{"
                + "'annotations':{'kubectl.kubernetes.io/restartedAt':'2025-01-01T00:00:00Z'}}}}}"), DS);
        assertThat(result.path("spec").path("template").path("metadata")).isEqualTo(json(
                "{'labels':{'name':'fluentd'},'annotations':{'kubectl.kubernetes.io/restartedAt':'2025-01-01T00:00:00Z'}}"));
    }

    @Test
    void rolloutUndoReplacesTheTemplateWithTheRevisionData() {
        ObjectNode live = liveDaemonSet();
        ((ObjectNode) live.path("spec").path("template").path("metadata")).putObject("annotations").put("x", "y");
        ObjectNode revisionData = obj("{'spec':{'template':{'$patch':'replace',"
                + "'metadata':{'creationTimestamp':null,'labels':{'name':'fluentd'}},"
                + "'spec':{'containers':[{'image':'fluent/fluentd:v1.16-1','imagePullPolicy':'IfNotPresent','name':'fluentd',"
                + "'volumeMounts':[{'mountPath':'/var/log','name':'varlog'}]}],'dnsPolicy':'ClusterFirst',"
                + "'restartPolicy':'Always','securityContext':{},'terminationGracePeriodSeconds':30,"
                + "'volumes':[{'hostPath':{'path':'/var/log','type':''},'name':'varlog'}]}}}}");

        ObjectNode result = StrategicMergePatch.apply(live, revisionData, DS);

        assertThat(result.path("spec").path("template")).isEqualTo(json("{"
                + "'metadata':{'labels':{'name':'fluentd'}},"
                + "'spec':{'containers':[{'image':'fluent/fluentd:v1.16-1','imagePullPolicy':'IfNotPresent','name':'fluentd',"
                + "'volumeMounts':[{'mountPath':'/var/log','name':'varlog'}]}],'dnsPolicy':'ClusterFirst',"
                + "'restartPolicy':'Always','securityContext':{},'terminationGracePeriodSeconds':30,"
                + "'volumes':[{'hostPath':{'path':'/var/log','type':''},'name':'varlog'}]}}"));
        assertThat(result.path("spec").path("updateStrategy")).isEqualTo(live.path("spec").path("updateStrategy"));
    }

    @Test
    void labelAndUnlabelAreMergePatches() {
        ObjectNode node = obj("{'metadata':{'name':'node-1','labels':{'a':'1'}}}");
        var labelled = JsonPatches.applyMergePatch(node, json("{'metadata':{'labels':{'disk':'ssd'}}}"));
        assertThat(labelled).isEqualTo(json("{'metadata':{'name':'node-1','labels':{'a':'1','disk':'ssd'}}}"));
        var unlabelled = JsonPatches.applyMergePatch(labelled, json("{'metadata':{'labels':{'disk':null}}}"));
        assertThat(unlabelled).isEqualTo(node);
    }
}
