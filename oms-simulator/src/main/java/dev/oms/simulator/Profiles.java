package dev.oms.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads {@link Profile}s: the built-in {@code steady}, {@code black-friday} and {@code flash-sale}
 * (YAML files under {@code dev/oms/simulator/profiles/}), or a YAML or JSON file. A file may start
 * from a built-in with {@code base: black-friday} and override any key; keys it leaves out come from
 * {@code steady}. See the module README for the format.
 */
public final class Profiles {
  public static final List<String> BUILT_IN = List.of("steady", "black-friday", "flash-sale");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Profiles() {}

  /** Thrown for a profile that can't be found or read; the message says what is wrong. */
  public static final class ProfileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ProfileException(String message) {
      super(message);
    }
  }

  /** A built-in profile by name, or a YAML/JSON profile file by path. */
  public static Profile load(String nameOrPath) {
    JsonNode tree;
    String source;
    if (BUILT_IN.contains(nameOrPath)) {
      tree = builtInTree(nameOrPath);
      source = nameOrPath;
    } else {
      Path path = Path.of(nameOrPath);
      if (!Files.isRegularFile(path)) {
        throw new ProfileException("unknown profile '" + nameOrPath + "': neither a built-in profile ("
            + String.join(", ", BUILT_IN) + ") nor a readable YAML or JSON file");
      }
      try {
        tree = YAML.readTree(path.toFile());
      } catch (IOException e) {
        throw new ProfileException("profile file " + path + " is not valid YAML or JSON: " + e.getMessage());
      }
      source = path.toString();
    }
    if (tree == null || !tree.isObject()) {
      throw new ProfileException("profile " + source + " must be a YAML or JSON object");
    }
    JsonNode base = builtInTree("steady");
    if (tree.hasNonNull("base")) {
      String baseName = tree.get("base").asText();
      if (!BUILT_IN.contains(baseName)) {
        throw new ProfileException("profile " + source + ": base must be one of " + BUILT_IN + ", was '" + baseName + "'");
      }
      base = builtInTree(baseName);
    }
    ObjectNode merged = ((ObjectNode) base).deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      merged.set(f.getKey(), f.getValue());
    }
    if (!tree.hasNonNull("name")) {
      merged.put("name", source);
    }
    try {
      return parse(merged);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ProfileException("profile " + source + ": " + e.getMessage());
    }
  }

  private static JsonNode builtInTree(String name) {
    try (InputStream in = Profiles.class.getResourceAsStream("profiles/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalStateException("built-in profile " + name + " is missing from the jar");
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("built-in profile " + name + " does not load", e);
    }
  }

  static Profile parse(JsonNode p) {
    double duration = seconds(p, "duration");
    positive(duration, "duration");
    double speed = p.path("speed").asDouble(1);
    positive(speed, "speed");
    double rate = p.path("rate").asDouble(-1);
    positive(rate, "rate");

    List<Profile.Point> users = new ArrayList<>();
    for (JsonNode n : p.path("users")) {
      users.add(new Profile.Point(at(n.get("at"), duration, "users.at"), nonNegative(n.path("x").asDouble(-1), "users.x")));
    }
    users.sort((a, b) -> Double.compare(a.at(), b.at()));
    List<Profile.Spike> spikes = new ArrayList<>();
    for (JsonNode n : p.path("spikes")) {
      double from = at(n.has("from") ? n.get("from") : n.get("at"), duration, "spikes.from");
      double to = n.has("to") ? at(n.get("to"), duration, "spikes.to") : from + length(n.get("for"), duration, "spikes.for");
      spikes.add(new Profile.Spike(from, Math.min(1, to), nonNegative(n.path("x").asDouble(-1), "spikes.x")));
    }

    JsonNode c = p.path("catalog");
    Profile.CatalogShape catalog = new Profile.CatalogShape(c.path("skus").asInt(10_000), c.path("zipf").asDouble(1.0),
        c.path("doorbusters").asInt(-1), c.path("doorbusterStock").asDouble(0.92));
    if (catalog.skus() < 1) {
      throw new IllegalArgumentException("catalog.skus must be at least 1");
    }
    nonNegative(catalog.zipf(), "catalog.zipf");
    nonNegative(catalog.doorbusterStock(), "catalog.doorbusterStock");

    JsonNode b = p.path("basket");
    Profile.Basket basket = new Profile.Basket(probabilities(b.path("lines"), "basket.lines"),
        probabilities(b.path("units"), "basket.units"));

    JsonNode pr = p.path("prices");
    long median = Math.round(pr.path("median").asDouble(25) * 100);
    Profile.Prices prices = new Profile.Prices(Math.max(99, median), nonNegative(pr.path("sigma").asDouble(1), "prices.sigma"));

    JsonNode pay = p.path("payment");
    double decline = pay.path("declineRate").asDouble(0.02);
    fraction(decline, "payment.declineRate");
    Profile.Payment payment = new Profile.Payment(decline,
        pay.hasNonNull("latency") ? Durations.parseNanos(pay.get("latency").asText()) : 0);

    double capacity = nonNegative(p.path("warehouse").path("capacity").asDouble(0), "warehouse.capacity");

    Map<String, Integer> concurrency = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> cf = p.path("concurrency").fields();
    while (cf.hasNext()) {
      Map.Entry<String, JsonNode> e = cf.next();
      String key = e.getKey().equals("default") ? "default" : FaultPlan.service(e.getKey()).group();
      int n = e.getValue().asInt(0);
      if (n < 1) {
        throw new IllegalArgumentException("concurrency." + e.getKey() + " must be at least 1");
      }
      concurrency.put(key, n);
    }

    return new Profile(p.path("name").asText("custom"), p.path("description").asText(""), duration, speed, rate,
        List.copyOf(users), List.copyOf(spikes), catalog, basket, prices, payment, capacity, Map.copyOf(concurrency),
        faults(p.path("faults"), duration));
  }

  static FaultPlan faults(JsonNode f, double duration) {
    if (f.isMissingNode() || f.isNull()) {
      return FaultPlan.NONE;
    }
    List<FaultPlan.Outage> outages = new ArrayList<>();
    for (JsonNode n : f.path("outages")) {
      double from = at(n.get("from"), duration, "outages.from");
      double to = n.has("to") ? at(n.get("to"), duration, "outages.to") : from + length(n.get("for"), duration, "outages.for");
      outages.add(new FaultPlan.Outage(FaultPlan.service(n.path("service").asText()), from, Math.min(1, to)));
    }
    List<FaultPlan.ErrorRate> errors = new ArrayList<>();
    for (JsonNode n : f.path("errors")) {
      double rate = n.path("rate").asDouble(-1);
      fraction(rate, "errors.rate");
      errors.add(new FaultPlan.ErrorRate(portService(n.path("service").asText()), rate));
    }
    List<FaultPlan.Slow> slow = new ArrayList<>();
    for (JsonNode n : f.path("slow")) {
      double from = n.has("from") ? at(n.get("from"), duration, "slow.from") : 0;
      double to = n.has("to") ? at(n.get("to"), duration, "slow.to") : 1;
      slow.add(new FaultPlan.Slow(portService(n.path("service").asText()), Durations.parseNanos(n.path("delay").asText("")),
          from, to));
    }
    double duplicates = f.path("duplicates").asDouble(0);
    fraction(duplicates, "faults.duplicates");
    List<FaultPlan.Restart> restarts = new ArrayList<>();
    for (JsonNode n : f.path("brokerRestarts")) {
      restarts.add(new FaultPlan.Restart(at(n.get("at"), duration, "brokerRestarts.at"),
          n.hasNonNull("downtime") ? Durations.parseSeconds(n.get("downtime").asText()) : 5));
    }
    return new FaultPlan(List.copyOf(outages), List.copyOf(errors), List.copyOf(slow), duplicates, List.copyOf(restarts));
  }

  /** A service whose port can be slowed or made to fail: every service but fulfillment (which has no port). */
  static dev.oms.OmsService portService(String name) {
    dev.oms.OmsService s = FaultPlan.service(name);
    if (s == dev.oms.OmsService.FULFILLMENT) {
      throw new IllegalArgumentException("fulfillment has no port to slow down or fail; pick one of inventory, "
          + "payment, warehouse, notification, order-view (or use an outage)");
    }
    return s;
  }

  /**
   * A point in the run as a fraction: a number from 0 to 1, a percentage ({@code 40%}), a clock time
   * of the simulated duration ({@code 13:30}) or a length of time from the start ({@code 2h}).
   */
  static double at(JsonNode n, double duration, String what) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    double f = n.isNumber() ? n.asDouble() : at(n.asText(), duration, what);
    if (!(f >= 0 && f <= 1)) {
      throw new IllegalArgumentException(what + " must lie within the run (0..1, 0%..100%), was " + n.asText());
    }
    return f;
  }

  static double at(String text, double duration, String what) {
    String t = text.trim();
    try {
      if (t.endsWith("%")) {
        return Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
      }
      if (t.matches("\\d{1,3}:\\d{2}")) {
        String[] hm = t.split(":");
        return (Integer.parseInt(hm[0]) * 3600 + Integer.parseInt(hm[1]) * 60) / duration;
      }
      if (t.matches("\\d*\\.?\\d+")) {
        return Double.parseDouble(t);
      }
      return Durations.parseSeconds(t) / duration;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": '" + text + "' is not a fraction, percentage, hh:mm or duration");
    }
  }

  /** A length as a fraction of the run: a number (fraction), a percentage or a duration. */
  static double length(JsonNode n, double duration, String what) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    String t = n.asText().trim();
    if (t.endsWith("%")) {
      return Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
    }
    return Durations.parseSeconds(t) / duration;
  }

  private static double seconds(JsonNode p, String key) {
    JsonNode n = p.get(key);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException(key + " is missing");
    }
    return n.isNumber() ? n.asDouble() : Durations.parseSeconds(n.asText());
  }

  private static double[] probabilities(JsonNode n, String what) {
    if (!n.isArray() || n.size() == 0) {
      throw new IllegalArgumentException(what + " must be a list of probabilities for 1, 2, 3... (summing to 1)");
    }
    double[] p = new double[n.size()];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = nonNegative(n.get(i).asDouble(-1), what);
      sum += p[i];
    }
    if (Math.abs(sum - 1) > 0.01) {
      throw new IllegalArgumentException(String.format(Locale.US, "%s must sum to 1, sums to %.3f", what, sum));
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static void positive(double v, String what) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be positive, was " + v);
    }
  }

  private static double nonNegative(double v, String what) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be zero or more, was " + v);
    }
    return v;
  }

  private static void fraction(double v, String what) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(what + " must be a fraction between 0 and 1, was " + v);
    }
  }
}
