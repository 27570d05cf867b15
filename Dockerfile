# The service image. Build the jar first (./mvnw -DskipTests package), then: docker build -t everynode .
# BASE_IMAGE: any image with a Java 17+ runtime on the PATH (bin/docker-smoke builds on a local stand-in).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
# curl for the compose healthcheck
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# The data directory: the first start writes the generated admin token there (mode 0600). It must belong to the
# user the service runs as; a volume mounted there (docker-compose.yml) starts with this ownership.
RUN mkdir -p /var/lib/everynode && chown 1000:1000 /var/lib/everynode && chmod 0700 /var/lib/everynode
ENV EVERYNODE_SECURITY_TOKEN_FILE=/var/lib/everynode/admin-token
VOLUME /var/lib/everynode
WORKDIR /var/lib/everynode
# Exactly one jar: target/ also holds everynode-agent.jar (the node agent), which a glob would match too.
COPY target/everynode-0.1.0-SNAPSHOT.jar /app/everynode.jar
EXPOSE 8080
USER 1000:1000
ENTRYPOINT ["java", "-jar", "/app/everynode.jar"]
