package dev.everynode.kubectl;

import dev.everynode.apimachinery.json.Json;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The discovery bodies: aggregated (apidiscovery.k8s.io/v2) and the legacy per-group-version documents. */
final class DiscoveryDocuments {

    private DiscoveryDocuments() {}

    /** {@code APIGroupDiscoveryList} of the given group-versions, one item per group. */
    static ObjectNode aggregated(List<ApiResources.GroupVersion> groupVersions) {
        ObjectNode list = Json.object();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", "apidiscovery.k8s.io/v2");
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (ApiResources.GroupVersion gv : groupVersions) {
            ObjectNode item = items.addObject();
            ObjectNode metadata = item.putObject("metadata");
            // The core group has no name; kubectl recognises it by the empty metadata.
            if (!gv.group().isEmpty()) {
                metadata.put("name", gv.group());
            }
            ObjectNode version = item.putArray("versions").addObject();
            version.put("version", gv.version());
            ArrayNode resources = version.putArray("resources");
            for (ApiResources.Resource r : gv.resources()) {
                ObjectNode res = resources.addObject();
                res.put("resource", r.type().plural());
                responseKind(res, r);
                res.put("scope", r.type().namespaced() ? "Namespaced" : "Cluster");
                res.put("singularResource", r.singular());
                strings(res, "verbs", r.verbs());
                if (!r.shortNames().isEmpty()) {
                    strings(res, "shortNames", r.shortNames());
                }
                if (!r.categories().isEmpty()) {
                    strings(res, "categories", r.categories());
                }
                if (r.statusSubresource()) {
                    ObjectNode sub = res.putArray("subresources").addObject();
                    sub.put("subresource", "status");
                    responseKind(sub, r);
                    strings(sub, "verbs", ApiResources.STATUS_VERBS);
                }
            }
            version.put("freshness", "Current");
        }
        return list;
    }

    /** {@code APIVersions} for /api; kubectl ignores the address, but the real server always sends one. */
    static ObjectNode apiVersions(ApiResources.GroupVersion core, String serverAddress) {
        ObjectNode body = Json.object();
        body.put("kind", "APIVersions");
        body.putArray("versions").add(core.version());
        ObjectNode cidr = body.putArray("serverAddressByClientCIDRs").addObject();
        cidr.put("clientCIDR", "0.0.0.0/0");
        cidr.put("serverAddress", serverAddress);
        return body;
    }

    static ObjectNode apiGroupList(List<ApiResources.GroupVersion> named) {
        ObjectNode body = Json.object();
        body.put("kind", "APIGroupList");
        body.put("apiVersion", "v1");
        ArrayNode groups = body.putArray("groups");
        named.forEach(gv -> fillGroup(groups.addObject(), gv));
        return body;
    }

    /** {@code APIGroup} for /apis/{group}. */
    static ObjectNode apiGroup(ApiResources.GroupVersion gv) {
        ObjectNode body = Json.object();
        body.put("kind", "APIGroup");
        body.put("apiVersion", "v1");
        fillGroup(body, gv);
        return body;
    }

    static ObjectNode apiResourceList(ApiResources.GroupVersion gv) {
        ObjectNode body = Json.object();
        body.put("kind", "APIResourceList");
        body.put("apiVersion", "v1");
        body.put("groupVersion", gv.groupVersion());
        ArrayNode resources = body.putArray("resources");
        for (ApiResources.Resource r : gv.resources()) {
            ObjectNode res = resources.addObject();
            res.put("name", r.type().plural());
            res.put("singularName", r.singular());
            res.put("namespaced", r.type().namespaced());
            res.put("kind", r.type().kind());
            strings(res, "verbs", r.verbs());
            if (!r.shortNames().isEmpty()) {
                strings(res, "shortNames", r.shortNames());
            }
            if (!r.categories().isEmpty()) {
                strings(res, "categories", r.categories());
            }
            if (r.statusSubresource()) {
                ObjectNode sub = resources.addObject();
                sub.put("name", r.type().plural() + "/status");
                sub.put("singularName", "");
                sub.put("namespaced", r.type().namespaced());
                sub.put("kind", r.type().kind());
                strings(sub, "verbs", ApiResources.STATUS_VERBS);
            }
        }
        return body;
    }

    private static void fillGroup(ObjectNode group, ApiResources.GroupVersion gv) {
        group.put("name", gv.group());
        ObjectNode version = group.putArray("versions").addObject();
        version.put("groupVersion", gv.groupVersion());
        version.put("version", gv.version());
        ObjectNode preferred = group.putObject("preferredVersion");
        preferred.put("groupVersion", gv.groupVersion());
        preferred.put("version", gv.version());
    }

    /** Empty group and version mean "the group-version of the enclosing list", as the real server writes it. */
    private static void responseKind(ObjectNode res, ApiResources.Resource r) {
        ObjectNode kind = res.putObject("responseKind");
        kind.put("group", "");
        kind.put("version", "");
        kind.put("kind", r.type().kind());
    }

    private static void strings(ObjectNode parent, String field, List<String> values) {
        ArrayNode array = parent.putArray(field);
        values.forEach(array::add);
    }
}
