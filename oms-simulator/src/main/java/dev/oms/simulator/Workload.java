package dev.oms.simulator;

import java.util.SplittableRandom;

/**
 * What a run places: the catalog and the order stream, both derived from the seed alone, so a
 * seed names one workload.
 */
public record Workload(Catalog catalog, OrderGenerator generator) {

  public static Workload of(SimulatorOptions options) {
    SplittableRandom seeds = new SplittableRandom(options.seed());
    long catalogSeed = seeds.nextLong();
    long orderSeed = seeds.nextLong();
    Catalog catalog = Catalog.generate(options.skus(), catalogSeed);
    return new Workload(catalog, new OrderGenerator(catalog, orderSeed, options.declineRate()));
  }
}
