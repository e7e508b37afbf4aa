package dev.oms.simulator;

import picocli.CommandLine.Option;

/**
 * The simulator's settings. Bound from the command line by picocli (as a mixin of
 * {@link SimulatorMain}) and settable from code for tests and embedding; every field has the
 * command line's default. Flag names are a public contract.
 */
public final class SimulatorOptions {
  @Option(names = "--orders", paramLabel = "N", defaultValue = "200000",
      description = "Orders to place (default: ${DEFAULT-VALUE}).")
  int orders = 200_000;

  @Option(names = "--broker", paramLabel = "NAME", defaultValue = "in-memory",
      description = "Broker adapter, found by name through ServiceLoader (default: ${DEFAULT-VALUE}).")
  String broker = "in-memory";

  @Option(names = "--seed", paramLabel = "LONG", defaultValue = "42",
      description = "Seed of the catalog and the order stream; the same seed gives the same orders "
          + "(default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Option(names = "--skus", paramLabel = "N", defaultValue = "10000",
      description = "Catalog size (default: ${DEFAULT-VALUE}).")
  int skus = 10_000;

  @Option(names = "--decline-rate", paramLabel = "FRACTION", defaultValue = "0.02",
      description = "Fraction of orders paid with a card the gateway declines (default: ${DEFAULT-VALUE}).")
  double declineRate = 0.02;

  @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "1000",
      description = "Orders placed but not yet fulfilled or cancelled, at most (default: ${DEFAULT-VALUE}).")
  int maxInFlight = 1_000;

  @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Give up (exit 1, listing what is stuck) when the pipeline makes no progress for this long "
          + "(default: ${DEFAULT-VALUE}).")
  int drainTimeoutSeconds = 60;

  @Option(names = "--broker-option", paramLabel = "KEY=VALUE",
      description = "An option for the broker adapter, repeatable; for in-memory: threads, groupCapacity, "
          + "drainBatch, backpressure, blockTimeoutMillis.")
  java.util.Map<String, String> brokerOptions = new java.util.LinkedHashMap<>();

  public static SimulatorOptions defaults() {
    return new SimulatorOptions();
  }

  /** The first problem with these settings, or null when they are usable. */
  String problem() {
    if (orders < 1) {
      return "--orders must be at least 1, was " + orders;
    }
    if (skus < 1) {
      return "--skus must be at least 1, was " + skus;
    }
    if (!(declineRate >= 0 && declineRate <= 1)) {
      return "--decline-rate must be a fraction between 0 and 1, was " + declineRate;
    }
    if (maxInFlight < 1) {
      return "--max-in-flight must be at least 1, was " + maxInFlight;
    }
    if (drainTimeoutSeconds < 1) {
      return "--drain-timeout must be at least 1 second, was " + drainTimeoutSeconds;
    }
    if (broker == null || broker.isBlank()) {
      return "--broker must name a broker";
    }
    return null;
  }

  public int orders() {
    return orders;
  }

  public SimulatorOptions orders(int orders) {
    this.orders = orders;
    return this;
  }

  public String broker() {
    return broker;
  }

  public SimulatorOptions broker(String broker) {
    this.broker = broker;
    return this;
  }

  public long seed() {
    return seed;
  }

  public SimulatorOptions seed(long seed) {
    this.seed = seed;
    return this;
  }

  public boolean quiet() {
    return quiet;
  }

  public SimulatorOptions quiet(boolean quiet) {
    this.quiet = quiet;
    return this;
  }

  public int skus() {
    return skus;
  }

  public SimulatorOptions skus(int skus) {
    this.skus = skus;
    return this;
  }

  public double declineRate() {
    return declineRate;
  }

  public SimulatorOptions declineRate(double declineRate) {
    this.declineRate = declineRate;
    return this;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public SimulatorOptions maxInFlight(int maxInFlight) {
    this.maxInFlight = maxInFlight;
    return this;
  }

  public int drainTimeoutSeconds() {
    return drainTimeoutSeconds;
  }

  public SimulatorOptions drainTimeoutSeconds(int seconds) {
    this.drainTimeoutSeconds = seconds;
    return this;
  }
}
