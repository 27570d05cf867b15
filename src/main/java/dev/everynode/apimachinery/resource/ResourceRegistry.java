package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.codec.Protobuf;
import dev.everynode.apimachinery.meta.ResourceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** The served resources, one {@link ResourceDefinition} each, in discovery order (the definitions' {@code @Order}). */
@Component
public class ResourceRegistry {

    private final List<ResourceDefinition> definitions;
    private final Map<String, ResourceDefinition> byKind = new LinkedHashMap<>();

    public ResourceRegistry(List<ResourceDefinition> definitions) {
        this.definitions = List.copyOf(definitions);
        definitions.forEach(d -> byKind.put(d.type().kind(), d));
    }

    public List<ResourceDefinition> all() {
        return definitions;
    }

    /** The definition of a kind, if it is served. */
    public Optional<ResourceDefinition> forKind(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public ResourceDefinition of(ResourceType type) {
        ResourceDefinition d = byKind.get(type.kind());
        if (d == null) {
            throw new IllegalArgumentException("not a served type: " + type.kind());
        }
        return d;
    }

    /** The resource with this plural in an API group ("" for core), if served. */
    public Optional<ResourceDefinition> forPlural(String group, String plural) {
        return definitions.stream()
                .filter(d -> d.type().group().equals(group) && d.type().plural().equals(plural)).findFirst();
    }

    /** The object in a protobuf request body, decoded by its type's definition; 415 when none decodes it. */
    public ObjectNode decodeProtobuf(byte[] body) {
        Protobuf.Envelope envelope = Protobuf.unwrap(body);
        return forKind(envelope.kind())
                .filter(d -> d.acceptsProtobuf() && d.type().apiVersion().equals(envelope.apiVersion()))
                .orElseThrow(() -> Protobuf.unsupported(definitions.stream().filter(ResourceDefinition::acceptsProtobuf)
                        .map(ResourceDefinition::type).toList()))
                .decodeProtobuf(envelope.message());
    }

    /** The type whose objects are the namespaces namespaced objects live in. */
    public ResourceType namespaces() {
        return definitions.stream().filter(ResourceDefinition::holdsNamespaces).findFirst()
                .map(ResourceDefinition::type)
                .orElseThrow(() -> new IllegalStateException("no resource holds namespaces"));
    }
}
