package dev.everynode.apimachinery.patch;

import static dev.everynode.apimachinery.TestJson.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.everynode.apimachinery.Definitions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class StrategicMergePatchTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            maps merge recursively | Pod | {'metadata':{'labels':{'a':'1','b':'2'}}} | {'metadata':{'labels':{'b':'3','c':'4'}}} | {'metadata':{'labels':{'a':'1','b':'3','c':'4'}}}
            a null value deletes the key | Pod | {'spec':{'nodeName':'n','hostNetwork':true}} | {'spec':{'hostNetwork':null}} | {'spec':{'nodeName':'n'}}
            a null for an absent key changes nothing | Pod | {'a':1} | {'b':null} | {'a':1}
            nulls inside new values are dropped | Pod | {} | {'spec':{'a':{'b':null,'c':1}}} | {'spec':{'a':{'c':1}}}
            a scalar replaces a map | Pod | {'a':{'b':1}} | {'a':2} | {'a':2}
            containers merge by name | Pod | {'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}} | {'spec':{'containers':[{'name':'b','image':'z'}]}} | {'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'z'}]}}
            without setElementOrder a new element goes before server-only ones like in Go | Pod | {'spec':{'containers':[{'name':'a'},{'name':'b'}]}} | {'spec':{'containers':[{'name':'c'}]}} | {'spec':{'containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}
            patch order wins and server-only elements are interleaved by live position | Pod | {'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}} | {'spec':{'containers':[{'name':'c','image':'i'},{'name':'a','image':'i'}]}} | {'spec':{'containers':[{'name':'b'},{'name':'c','image':'i'},{'name':'a','image':'i'}]}}
            env merges by name inside a container | Pod | {'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]}]}} | {'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'3'}]}]}} | {'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'3'}]}]}}
            volumeMounts merge by mountPath | Pod | {'spec':{'initContainers':[{'name':'a','volumeMounts':[{'mountPath':'/x','name':'v'}]}]}} | {'spec':{'initContainers':[{'name':'a','volumeMounts':[{'mountPath':'/x','readOnly':true}]}]}} | {'spec':{'initContainers':[{'name':'a','volumeMounts':[{'mountPath':'/x','name':'v','readOnly':true}]}]}}
            ports merge by containerPort | Pod | {'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'}]}]}} | {'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'protocol':'TCP'}]}]}} | {'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http','protocol':'TCP'}]}]}}
            a delete element removes the element with that key | Pod | {'spec':{'volumes':[{'name':'a'},{'name':'b'}]}} | {'spec':{'volumes':[{'name':'a','$patch':'delete'}]}} | {'spec':{'volumes':[{'name':'b'}]}}
            a replace element makes the list exactly the other elements | Pod | {'spec':{'containers':[{'name':'a'},{'name':'b'}]}} | {'spec':{'containers':[{'name':'c'},{'$patch':'replace'}]}} | {'spec':{'containers':[{'name':'c'}]}}
            a merge element is the default | Pod | {'spec':{'containers':[{'name':'a'}]}} | {'spec':{'containers':[{'name':'a','image':'i','$patch':'merge'}]}} | {'spec':{'containers':[{'name':'a','image':'i'}]}}
            tolerations are atomic | Pod | {'spec':{'tolerations':[{'key':'a'},{'key':'b'}]}} | {'spec':{'tolerations':[{'key':'c'}]}} | {'spec':{'tolerations':[{'key':'c'}]}}
            envFrom is atomic | Pod | {'spec':{'containers':[{'name':'a','envFrom':[{'prefix':'A'}]}]}} | {'spec':{'containers':[{'name':'a','envFrom':[{'prefix':'B'}]}]}} | {'spec':{'containers':[{'name':'a','envFrom':[{'prefix':'B'}]}]}}
            primitive lists without strategy are replaced | Pod | {'spec':{'containers':[{'name':'a','args':['x','y']}]}} | {'spec':{'containers':[{'name':'a','args':['z']}]}} | {'spec':{'containers':[{'name':'a','args':['z']}]}}
            finalizers are a merged set | Pod | {'metadata':{'finalizers':['a','b']}} | {'metadata':{'finalizers':['b','c']}} | {'metadata':{'finalizers':['a','b','c']}}
            deleteFromPrimitiveList removes values | Pod | {'metadata':{'finalizers':['a','b','c']}} | {'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}} | {'metadata':{'finalizers':['a','c']}}
            ownerReferences merge by uid | DaemonSet | {'metadata':{'ownerReferences':[{'uid':'1','name':'x'}]}} | {'metadata':{'ownerReferences':[{'uid':'1','controller':true},{'uid':'2','name':'y'}]}} | {'metadata':{'ownerReferences':[{'uid':'1','name':'x','controller':true},{'uid':'2','name':'y'}]}}
            a replace directive replaces the whole map | DaemonSet | {'spec':{'template':{'metadata':{'labels':{'a':'1'}},'spec':{'x':1}}}} | {'spec':{'template':{'$patch':'replace','spec':{'y':2}}}} | {'spec':{'template':{'spec':{'y':2}}}}
            a delete directive empties the map as Go does | Pod | {'spec':{'a':{'b':1},'c':1}} | {'spec':{'a':{'$patch':'delete'}}} | {'spec':{'a':{},'c':1}}
            a delete directive on an absent map adds nothing | Pod | {'spec':{'c':1}} | {'spec':{'a':{'$patch':'delete'}}} | {'spec':{'c':1}}
            a merge directive on a map is the default | Pod | {'spec':{'a':{'b':1}}} | {'spec':{'a':{'$patch':'merge','d':2}}} | {'spec':{'a':{'b':1,'d':2}}}
            retainKeys drops keys that are not listed | DaemonSet | {'spec':{'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}} | {'spec':{'updateStrategy':{'$retainKeys':['type'],'type':'OnDelete'}}} | {'spec':{'updateStrategy':{'type':'OnDelete'}}}
            retainKeys keeps listed keys the patch does not touch | Pod | {'spec':{'volumes':[{'name':'v','hostPath':{'path':'/a'},'emptyDir':{}}]}} | {'spec':{'volumes':[{'name':'v','$retainKeys':['name','hostPath']}]}} | {'spec':{'volumes':[{'name':'v','hostPath':{'path':'/a'}}]}}
            setElementOrder reorders a merge list | Pod | {'spec':{'containers':[{'name':'a'},{'name':'b'}]}} | {'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}} | {'spec':{'containers':[{'name':'b'},{'name':'a'}]}}
            setElementOrder places a new element | Pod | {'spec':{'containers':[{'name':'a'},{'name':'b'}]}} | {'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'c'},{'name':'b'}],'containers':[{'name':'c'}]}} | {'spec':{'containers':[{'name':'a'},{'name':'c'},{'name':'b'}]}}
            server-only elements keep their live position under setElementOrder | Pod | {'spec':{'containers':[{'name':'a'},{'name':'s'},{'name':'b'}]}} | {'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},{'name':'c'}],'containers':[{'name':'c'}]}} | {'spec':{'containers':[{'name':'a'},{'name':'s'},{'name':'b'},{'name':'c'}]}}
            setElementOrder on a primitive merge list | Pod | {'metadata':{'finalizers':['a','b']}} | {'metadata':{'$setElementOrder/finalizers':['b','c','a'],'finalizers':['c']}} | {'metadata':{'finalizers':['b','c','a']}}
            Node conditions merge by type | Node | {'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'DiskPressure','status':'False'}]}} | {'status':{'conditions':[{'type':'Ready','status':'False'}]}} | {'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'DiskPressure','status':'False'}]}}
            Node addresses merge by type | Node | {'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.1'}]}} | {'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'}]}} | {'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'}]}}
            Node taints are atomic | Node | {'spec':{'taints':[{'key':'a','effect':'NoSchedule'}]}} | {'spec':{'taints':[{'key':'b','effect':'NoExecute'}]}} | {'spec':{'taints':[{'key':'b','effect':'NoExecute'}]}}
            DaemonSet status conditions merge by type | DaemonSet | {'status':{'conditions':[{'type':'A','status':'True'}]}} | {'status':{'conditions':[{'type':'B','status':'True'}]}} | {'status':{'conditions':[{'type':'B','status':'True'},{'type':'A','status':'True'}]}}
            DaemonSet pod template containers merge by name | DaemonSet | {'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x'}]}}}} | {'spec':{'template':{'spec':{'containers':[{'name':'a','image':'y'}]}}}} | {'spec':{'template':{'spec':{'containers':[{'name':'a','image':'y'}]}}}}
            lists of an unknown kind are replaced | Widget | {'spec':{'containers':[{'name':'a'}]}} | {'spec':{'containers':[{'name':'b'}]}} | {'spec':{'containers':[{'name':'b'}]}}
            """)
    void appliesStrategicMergePatch(String description, String kind, String original, String patch,
            String expected) {
        assertThat(StrategicMergePatch.apply(obj(original), obj(patch), Definitions.patchSchema(kind)))
                .isEqualTo(obj(expected));
    }

    @Test
    void listOrderFollowsSetElementOrderExactly() {
        ObjectNode result = StrategicMergePatch.apply(obj("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}"),
                obj("{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}"), Definitions.patchSchema("Pod"));
        assertThat(result.path("spec").path("containers").get(0).path("name").asString()).isEqualTo("b");
    }

    @Test
    void inputsAreNotModified() {
        ObjectNode original = obj("{'spec':{'containers':[{'name':'a','image':'x'}],'x':{'y':1}}}");
        ObjectNode patch = obj("{'spec':{'containers':[{'name':'a','image':'y'}],'x':{'$patch':'replace','z':2}}}");
        ObjectNode originalCopy = original.deepCopy();
        ObjectNode patchCopy = patch.deepCopy();
        StrategicMergePatch.apply(original, patch, Definitions.patchSchema("Pod"));
        assertThat(original).isEqualTo(originalCopy);
        assertThat(patch).isEqualTo(patchCopy);
    }

    /** New primitive values come first, as Go's mergeSortedSlice places items unknown to the live list. */
    @Test
    void customSchemasAddMergeKeys() {
        PatchSchema schema = PatchSchema.empty().withMergeKey("items", "id").withPrimitiveMerge("tags");
        ObjectNode result = StrategicMergePatch.apply(obj("{'items':[{'id':1,'v':'a'}],'tags':['x']}"),
                obj("{'items':[{'id':1,'w':'b'}],'tags':['y']}"), schema);
        assertThat(result).isEqualTo(obj("{'items':[{'id':1,'v':'a','w':'b'}],'tags':['y','x']}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a delete element without the merge key | {'spec':{'volumes':[{'name':'a'}]}} | {'spec':{'volumes':[{'$patch':'delete'}]}} | does not contain declared merge key: name
            a merge element without the merge key | {'spec':{'volumes':[{'name':'a'}]}} | {'spec':{'volumes':[{'emptyDir':{}}]}} | does not contain declared merge key: name
            an unknown map directive | {'spec':{}} | {'spec':{'$patch':'explode'}} | unknown patch type: explode
            an unknown list directive | {'spec':{'volumes':[{'name':'a'}]}} | {'spec':{'volumes':[{'name':'a','$patch':'explode'}]}} | unknown patch type: explode
            a patch key outside retainKeys | {'spec':{'a':1}} | {'spec':{'$retainKeys':['a'],'b':2}} | invalid patch format of retainKeys
            retainKeys that is not a list | {'spec':{'a':1}} | {'spec':{'$retainKeys':'a'}} | invalid patch format of retainKeys
            a merge list mixing maps and scalars | {'spec':{'volumes':[{'name':'a'}]}} | {'spec':{'volumes':['b']}} | types of list elements need to be the same
            """)
    void rejectsMalformedPatches(String description, String original, String patch, String message) {
        assertThatThrownBy(() -> StrategicMergePatch.apply(obj(original), obj(patch), Definitions.patchSchema("Pod")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
