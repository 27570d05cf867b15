package dev.everynode.platform;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * No per-request HTTP observation for the node-agent protocol: 10,000 agents' heartbeats, polls and reports
 * would cost more in metrics bookkeeping than in work. The API's requests keep their metrics.
 */
@Configuration(proxyBeanMethods = false)
class ObservationConfig {

    @Bean
    ObservationPredicate noAgentProtocolObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier().getRequestURI().startsWith("/agent/"));
    }
}
