package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running local Kafka started by {@link LocalKafka#start()}: its address, and node faults for tests. */
public final class LocalKafkaCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalKafkaCluster.class);

  private final LocalKafka settings;
  private final String classpath;
  private final Path dir;
  private final boolean ownsDir;
  private final List<ServerNode> nodes;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private LocalKafkaCluster(LocalKafka settings, String classpath, Path dir, boolean ownsDir, List<ServerNode> nodes) {
    this.settings = settings;
    this.classpath = classpath;
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.nodes = nodes;
    // Child JVMs outlive a JVM that exits without closing us: kill them on the way out.
    this.shutdownHook = new Thread(this::killAll, "local-kafka-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  static LocalKafkaCluster start(LocalKafka settings) {
    String classpath = ServerClasspath.resolve();
    boolean ownsDir = settings.workDir() == null;
    Path dir;
    List<ServerNode> nodes = new ArrayList<>();
    try {
      dir = ownsDir ? Files.createTempDirectory("oms-kafka-") : Files.createDirectories(settings.workDir());
      int[] ports = freePorts(2 * settings.nodes());
      for (int i = 0; i < settings.nodes(); i++) {
        nodes.add(new ServerNode(i + 1, ports[2 * i], ports[2 * i + 1], dir.resolve("node-" + (i + 1))));
      }
      String voters = nodes.stream().map(n -> n.id + "@" + ServerNode.HOST + ":" + n.controllerPort)
          .collect(Collectors.joining(","));
      for (ServerNode node : nodes) {
        node.writeConfig(voters, nodes.size(), settings.serverProperties());
      }
    } catch (IOException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "could not prepare a local Kafka: " + e, e);
    }
    LocalKafkaCluster cluster = new LocalKafkaCluster(settings, classpath, dir, ownsDir, nodes);
    try {
      long started = System.nanoTime();
      cluster.format();
      for (ServerNode node : nodes) {
        node.start(classpath, settings.maxHeap());
      }
      cluster.awaitNodes(cluster.nodeIds());
      log.info("local Kafka with {} node(s) up at {} in {} ms (data in {})", nodes.size(), cluster.bootstrapServers(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dir);
      return cluster;
    } catch (IOException e) {
      cluster.close();
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "could not start a local Kafka: " + e, e);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cluster.close();
      throw new OmsException(Kind.CLOSED, "interrupted while starting a local Kafka", e);
    }
  }

  private void format() throws IOException, InterruptedException {
    String clusterId = Uuid.randomUuid().toString();
    List<Process> formats = new ArrayList<>();
    for (ServerNode node : nodes) {
      formats.add(node.startFormat(classpath, clusterId)); // in parallel: each is a JVM start
    }
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).checkFormatted(formats.get(i), settings.startTimeout().toMillis());
    }
  }

  /** The {@code bootstrap.servers} value for clients: every node's broker address. */
  public String bootstrapServers() {
    return nodes.stream().map(ServerNode::brokerAddress).collect(Collectors.joining(","));
  }

  /** The bootstrap address of one node only. */
  public String bootstrapServers(int nodeId) {
    return node(nodeId).brokerAddress();
  }

  public List<Integer> nodeIds() {
    return nodes.stream().map(n -> n.id).collect(Collectors.toList());
  }

  public boolean isRunning(int nodeId) {
    return node(nodeId).isRunning();
  }

  /** Kills a node as {@code kill -9} would; its data stays for {@link #restart}. */
  public void kill(int nodeId) {
    try {
      node(nodeId).kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while killing Kafka node " + nodeId, e);
    }
    log.info("local Kafka node {} killed", nodeId);
  }

  /** Stops a node gracefully (controlled shutdown); its data stays for {@link #restart}. */
  public void stop(int nodeId) {
    try {
      node(nodeId).stop(settings.startTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while stopping Kafka node " + nodeId, e);
    }
  }

  /** Starts a stopped or killed node again on its ports and data, and waits until the cluster sees it. */
  public void restart(int nodeId) {
    ServerNode node = node(nodeId);
    if (node.isRunning()) {
      throw new OmsException(Kind.REJECTED, "Kafka node " + nodeId + " is running; kill or stop it first");
    }
    try {
      node.start(classpath, settings.maxHeap());
      awaitNodes(List.of(nodeId));
    } catch (IOException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "could not restart Kafka node " + nodeId + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while restarting Kafka node " + nodeId, e);
    }
    log.info("local Kafka node {} restarted", nodeId);
  }

  /** Restarts every node (stop all, start all): what a broker restart looks like to clients. */
  public void restartAll() {
    for (ServerNode node : nodes) {
      stop(node.id);
    }
    try {
      for (ServerNode node : nodes) {
        node.start(classpath, settings.maxHeap());
      }
      awaitNodes(nodeIds());
    } catch (IOException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "could not restart the local Kafka: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while restarting the local Kafka", e);
    }
  }

  /** Waits until each of {@code ids} accepts connections and is a live member of the cluster. */
  private void awaitNodes(Collection<Integer> ids) throws InterruptedException {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    for (int id : ids) {
      ServerNode node = node(id);
      while (!node.acceptsConnections()) {
        checkDeadline(deadline, "node " + id + " to accept connections", node);
        Thread.sleep(100); // polling a child process's port: nothing to wait on instead
      }
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          Set<Integer> live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
              .map(Node::id).collect(Collectors.toSet());
          if (live.containsAll(ids)) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // not ready yet
        }
        checkDeadline(deadline, "nodes " + ids + " to join the cluster", node(ids.iterator().next()));
        Thread.sleep(200);
      }
    }
  }

  private void checkDeadline(long deadline, String what, ServerNode node) {
    if (System.nanoTime() > deadline) {
      throw new OmsException(Kind.TIMEOUT, "local Kafka: gave up waiting for " + what + " after "
          + settings.startTimeout().toSeconds() + " s: " + node.tail());
    }
  }

  private ServerNode node(int nodeId) {
    for (ServerNode node : nodes) {
      if (node.id == nodeId) {
        return node;
      }
    }
    throw new OmsException(Kind.NOT_FOUND, "no Kafka node " + nodeId + "; nodes are " + nodeIds());
  }

  private void killAll() {
    for (ServerNode node : nodes) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Kills every node and deletes the data directory it created. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll(); // nothing to keep: a graceful shutdown would only cost seconds
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    if (ownsDir) {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) { // held open together so no port is handed out twice
        ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  @Override
  public String toString() {
    return "LocalKafkaCluster[" + bootstrapServers() + "]";
  }

}
