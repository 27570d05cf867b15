package dev.everynode.platform;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Title and description of the API document served at /v3/api-docs and shown by Swagger UI. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    @Bean
    OpenAPI everynodeOpenApi() {
        return new OpenAPI()
                .components(new io.swagger.v3.oas.models.Components().addSecuritySchemes("bearer",
                        new io.swagger.v3.oas.models.security.SecurityScheme()
                                .type(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An Everynode token (admin, viewer, node or bootstrap)")))
                .addSecurityItem(new io.swagger.v3.oas.models.security.SecurityRequirement().addList("bearer"))
                .info(new Info()
                .title("Everynode API")
                .version("v1")
                .description("A DaemonSet control plane with a Kubernetes-compatible API: Namespaces, Nodes, Pods, "
                        + "Events (core/v1), DaemonSets and ControllerRevisions (apps/v1), at the Kubernetes paths, in "
                        + "JSON or YAML; plus the node-agent protocol under /agent/v1 and rollout status and rollback.")
                .license(new License().name("Apache-2.0")));
    }
}
