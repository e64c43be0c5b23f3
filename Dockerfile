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
# AppCDS (docs/operations.md, "Start-up options for the jar"): a training run with the embedded defaults writes the
# classes it loaded to an archive as it stops; every start maps it instead of loading them from the jar. Made here,
# by this image's JVM and for this jar file, which the archive must match. Without an archive (a JVM without its base
# CDS archive writes none) the image still works: the JVM starts without it
RUN java -XX:ArchiveClassesAtExit=/app/interaction-pulse.jsa -Dcamel.main.duration-max-seconds=60 \
        -Dpulse.data-dir=/tmp/cds-training -jar /app/interaction-pulse.jar > /tmp/cds-training.log 2>&1; \
    if [ ! -s /app/interaction-pulse.jsa ]; then echo "No AppCDS archive written:"; tail -n 20 /tmp/cds-training.log; fi; \
    rm -rf /tmp/cds-training /tmp/cds-training.log
# no embedded servers in a container: point it at Kafka and MongoDB
ENV KAFKA_BROKERS=kafka:9092 \
    MONGODB_URI=mongodb://mongo:27017/?replicaSet=rs0
# the dashboard (8080) and health/metrics/Jolokia (9876) listen on every interface of the container: its loopback
# cannot be reached through a published port. Publish them on the host's loopback (docker-compose.yml does).
ENV CAMEL_SERVER_HOST=0.0.0.0 \
    CAMEL_MANAGEMENT_HOST=0.0.0.0
EXPOSE 8080 9876
USER 1000
# the parallel collector drains a backlog with less CPU per event than G1 (docs/benchmark.md), its pauses are longer:
# JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:SharedArchiveFile=/app/interaction-pulse.jsa" keeps G1
# Under a 512 MB memory limit use the small-box start of docs/operations.md instead ("A 512 MB box"): -e
# MALLOC_ARENA_MAX=2 -e JAVA_OPTS="-Xmx256m -XX:+UseG1GC -XX:TrimNativeHeapInterval=1000
# -Djdk.nio.maxCachedBufferSize=1048576 -Dio.netty.allocator.maxOrder=7 -XX:SharedArchiveFile=..."
# (-Xmx240m with sessions or funnels on: 459 MiB resident at 1M new users, against 487 at 256m)
# (G1 named: the JVM would pick the serial collector there; at -Xmx256m the parallel collector ran out of memory
# draining a backlog of new users in the benchmark's memory run, which measured this start without the archive)
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -XX:SharedArchiveFile=/app/interaction-pulse.jsa"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/interaction-pulse.jar \"$@\"", "--"]
