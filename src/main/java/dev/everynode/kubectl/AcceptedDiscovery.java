package dev.everynode.kubectl;

import java.util.List;
import org.springframework.http.MediaType;

/** Content negotiation for /api and /apis: aggregated v2 or the legacy documents, by the client's preference. */
final class AcceptedDiscovery {

    private AcceptedDiscovery() {}

    /**
     * True when the first media type we can serve is aggregated discovery v2. v2beta1 is skipped (not served):
     * a client asking only for it gets the legacy documents, which every client still understands.
     */
    static boolean wantsAggregated(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Stable: equal quality keeps the client's order, which is how kubectl states its preference.
        types = new java.util.ArrayList<>(types);
        types.sort(java.util.Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        for (MediaType m : types) {
            if ("APIGroupDiscoveryList".equals(m.getParameter("as"))) {
                if ("apidiscovery.k8s.io".equals(m.getParameter("g")) && "v2".equals(m.getParameter("v"))) {
                    return true;
                }
            } else if (m.includes(MediaType.APPLICATION_JSON)) {
                return false;
            }
        }
        return false;
    }
}
