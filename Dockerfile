# Builds the runnable jar and runs it; configured through environment variables (see README.md).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /build/target/interaction-pulse.jar /app/interaction-pulse.jar
# no embedded servers in a container: point it at Kafka and MongoDB
ENV KAFKA_BROKERS=kafka:9092 \
    MONGODB_URI=mongodb://mongo:27017/?replicaSet=rs0
# the dashboard (8080) and health/metrics/Jolokia (9876) listen on every interface of the container: its loopback
# cannot be reached through a published port. Publish them on the host's loopback (docker-compose.yml does).
ENV CAMEL_SERVER_HOST=0.0.0.0 \
    CAMEL_MANAGEMENT_HOST=0.0.0.0
EXPOSE 8080 9876
USER 1000
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/interaction-pulse.jar"]
