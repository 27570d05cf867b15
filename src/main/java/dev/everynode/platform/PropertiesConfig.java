package dev.everynode.platform;

import dev.everynode.platform.security.SecurityProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds {@link EverynodeProperties} and offers each branch as a bean, so a class takes only the part it reads.
 * The bean names are what {@code @Scheduled} expressions refer to, e.g. {@code #{@nodesProperties.monitorPeriod()}}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EverynodeProperties.class)
class PropertiesConfig {

    @Bean
    SecurityProperties securityProperties(EverynodeProperties properties) {
        return properties.security();
    }

    @Bean
    EverynodeProperties.Nodes nodesProperties(EverynodeProperties properties) {
        return properties.nodes();
    }

    @Bean
    EverynodeProperties.Reconcile reconcileProperties(EverynodeProperties properties) {
        return properties.reconcile();
    }

    @Bean
    EverynodeProperties.Agents agentsProperties(EverynodeProperties properties) {
        return properties.agents();
    }

    @Bean
    EverynodeProperties.Watch watchProperties(EverynodeProperties properties) {
        return properties.watch();
    }

    @Bean
    EverynodeProperties.Http httpProperties(EverynodeProperties properties) {
        return properties.http();
    }

    @Bean
    EverynodeProperties.Metrics metricsProperties(EverynodeProperties properties) {
        return properties.metrics();
    }

    @Bean
    EverynodeProperties.Gc gcProperties(EverynodeProperties properties) {
        return properties.gc();
    }
}
