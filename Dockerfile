FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY target/everynode-*.jar /app/everynode.jar
EXPOSE 8080
USER 1000
ENTRYPOINT ["java", "-jar", "/app/everynode.jar"]
