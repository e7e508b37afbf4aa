package dev.oms.simulator;

import java.util.SplittableRandom;

/**
 * What a run places: the catalog and the order stream, both derived from the profile and the seed
 * alone, so a profile and a seed name one workload.
 */
public record Workload(Catalog catalog, OrderGenerator generator) {

  /** The workload of the options' profile (after the command line's overrides) and seed. */
  public static Workload of(SimulatorOptions options) {
    SplittableRandom seeds = new SplittableRandom(options.seed());
    return of(RunPlan.resolve(options).profile(), seeds.nextLong(), seeds.nextLong());
  }

  static Workload of(Profile profile, long catalogSeed, long orderSeed) {
    Catalog catalog = Catalog.generate(profile.catalog(), profile.basket(), profile.prices(), catalogSeed);
    return new Workload(catalog, new OrderGenerator(catalog, orderSeed, profile.payment().declineRate()));
  }
}
