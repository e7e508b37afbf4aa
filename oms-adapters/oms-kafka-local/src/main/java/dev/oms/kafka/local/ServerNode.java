package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Kafka node (broker + controller) in its own JVM: its ports, directory and process. */
final class ServerNode {
  static final String HOST = "127.0.0.1";

  final int id;
  final int brokerPort;
  final int controllerPort;
  private final Path dir;
  private final Path propertiesFile;
  private final Path logFile;
  private volatile Process process;

  ServerNode(int id, int brokerPort, int controllerPort, Path dir) {
    this.id = id;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.dir = dir;
    this.propertiesFile = dir.resolve("server.properties");
    this.logFile = dir.resolve("server.log");
  }

  String brokerAddress() {
    return HOST + ":" + brokerPort;
  }

  void writeConfig(String voters, int clusterSize, Map<String, String> overrides) throws IOException {
    Files.createDirectories(dir.resolve("data"));
    int replicas = Math.min(3, clusterSize);
    int minInSync = replicas >= 3 ? 2 : 1;
    StringBuilder p = new StringBuilder()
        .append("process.roles=broker,controller\n")
        .append("node.id=").append(id).append('\n')
        .append("controller.quorum.voters=").append(voters).append('\n')
        .append("listeners=PLAINTEXT://").append(HOST).append(':').append(brokerPort)
        .append(",CONTROLLER://").append(HOST).append(':').append(controllerPort).append('\n')
        .append("advertised.listeners=PLAINTEXT://").append(HOST).append(':').append(brokerPort).append('\n')
        .append("controller.listener.names=CONTROLLER\n")
        .append("inter.broker.listener.name=PLAINTEXT\n")
        .append("listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n")
        .append("log.dirs=").append(dir.resolve("data").toAbsolutePath()).append('\n')
        .append("default.replication.factor=").append(replicas).append('\n')
        .append("min.insync.replicas=").append(minInSync).append('\n')
        .append("offsets.topic.replication.factor=").append(replicas).append('\n')
        .append("offsets.topic.num.partitions=6\n") // 50 by default: slow to create on a small machine
        .append("transaction.state.log.replication.factor=").append(replicas).append('\n')
        .append("transaction.state.log.min.isr=").append(minInSync).append('\n')
        .append("share.coordinator.state.topic.replication.factor=").append(replicas).append('\n')
        .append("share.coordinator.state.topic.min.isr=").append(minInSync).append('\n')
        .append("group.initial.rebalance.delay.ms=0\n")
        .append("unclean.leader.election.enable=false\n")
        .append("auto.create.topics.enable=false\n");
    overrides.forEach((k, v) -> p.append(k).append('=').append(v).append('\n'));
    Files.writeString(propertiesFile, p.toString(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
        "status=warn",
        "appender.file.type=File",
        "appender.file.name=file",
        "appender.file.fileName=" + logFile.toAbsolutePath(),
        "appender.file.layout.type=PatternLayout",
        "appender.file.layout.pattern=[%d] %p %m (%c)%n",
        "rootLogger.level=WARN",
        "rootLogger.appenderRef.file.ref=file",
        "logger.started.name=kafka.server.KafkaRaftServer",
        "logger.started.level=INFO",
        ""), StandardCharsets.UTF_8);
  }

  /** Runs the storage formatter; it must succeed before the first start. */
  Process startFormat(String classpath, String clusterId) throws IOException {
    return jvm(classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
        propertiesFile.toAbsolutePath().toString(), "--ignore-formatted").start();
  }

  void checkFormatted(Process format, long timeoutMillis) throws InterruptedException {
    if (!format.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      format.destroyForcibly();
      throw new OmsException(Kind.TIMEOUT, "formatting storage of Kafka node " + id + " timed out; see " + logFile);
    }
    if (format.exitValue() != 0) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "formatting storage of Kafka node " + id
          + " failed (exit " + format.exitValue() + "): " + tail());
    }
  }

  void start(String classpath, String maxHeap) throws IOException {
    process = jvm(classpath, "-Xmx" + maxHeap, "kafka.Kafka", propertiesFile.toAbsolutePath().toString()).start();
  }

  private ProcessBuilder jvm(String classpath, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    int i = 0;
    while (i < args.length && args[i].startsWith("-X")) {
      command.add(args[i++]);
    }
    command.add("-Xss1m");
    command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toAbsolutePath());
    command.add("-cp");
    command.add(classpath);
    for (; i < args.length; i++) {
      command.add(args[i]);
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
  }

  boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** True once the broker port accepts connections; fails fast if the process died. */
  boolean acceptsConnections() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka node " + id + " exited"
          + (p == null ? "" : " with " + p.exitValue()) + ": " + tail());
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, brokerPort), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** kill -9: no shutdown hooks, no flush, no controlled shutdown. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM: Kafka's controlled shutdown. */
  void stop(long timeoutMillis) throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The end of the node's log, for error messages. */
  String tail() {
    try {
      if (!Files.exists(logFile)) {
        return "(no log at " + logFile + ")";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))
          + "\n(full log: " + logFile + ")";
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
