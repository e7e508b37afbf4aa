package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

  private static List<Long> times(ArrivalSchedule s) {
    List<Long> all = new ArrayList<>();
    for (long t = s.next(); t >= 0; t = s.next()) {
      all.add(t);
    }
    return all;
  }

  @Test
  void theSameSeedGivesTheSameArrivalTimesAndAnotherSeedOthers() {
    Profile p = RunPlan.resolve(SimulatorOptions.defaults().orders(20_000)).profile();

    List<Long> a = times(new ArrivalSchedule(p, 20_000, 7));
    assertThat(times(new ArrivalSchedule(p, 20_000, 7))).isEqualTo(a);
    assertThat(times(new ArrivalSchedule(p, 20_000, 8))).isNotEqualTo(a);
  }

  @Test
  void aFixedCountArrivesExactlyWithinTheRunInOrder() {
    RunPlan plan = RunPlan.resolve(SimulatorOptions.defaults().orders(50_000));
    List<Long> t = times(new ArrivalSchedule(plan.profile(), 50_000, 1));

    assertThat(t).hasSize(50_000).isSorted();
    assertThat(t.get(t.size() - 1)).isLessThanOrEqualTo((long) (plan.wallSeconds() * 1e9));
  }

  @Test
  void arrivalsFollowTheRateCurveSpikesIncluded() {
    Profile p = Profiles.load("black-friday");
    List<Long> t = times(new ArrivalSchedule(p, -1, 3));
    double wall = p.wallSeconds() * 1e9;

    assertThat((double) t.size()).isCloseTo(ArrivalSchedule.expectedOrders(p), within(0.01 * t.size()));
    // Rate per unit of run in a window, relative to the base rate.
    double base = t.size() / ArrivalSchedule.meanMultiplier(p);
    double doorbuster = count(t, 0, 5.0 / 1440, wall) / (5.0 / 1440) / base;
    double dawn = count(t, 5.0 / 24, 6.0 / 24, wall) / (1.0 / 24) / base;
    double afternoon = count(t, 14.9 / 24, 15.1 / 24, wall) / (0.2 / 24) / base;
    assertThat(doorbuster).as("the 200x midnight spike").isCloseTo(200, within(20.0));
    assertThat(dawn).as("quiet early morning").isLessThan(2.5);
    assertThat(afternoon).as("the 9.5x afternoon peak").isCloseTo(9.5, within(1.0));
  }

  private static double count(List<Long> t, double from, double to, double wall) {
    return t.stream().filter(x -> x >= from * wall && x < to * wall).count();
  }

  @Test
  void ordersWithoutDurationKeepTheIntensityAndStretchTheDay() {
    Profile bf = Profiles.load("black-friday");
    RunPlan plan = RunPlan.resolve(SimulatorOptions.defaults().orders(1_000_000));

    assertThat(plan.profile().rate()).isEqualTo(bf.rate());
    assertThat(plan.profile().speed()).isEqualTo(bf.speed());
    assertThat(plan.wallSeconds()).isCloseTo(60 * 1_000_000 / ArrivalSchedule.expectedOrders(bf), within(0.01));
    assertThat(plan.orders()).isEqualTo(1_000_000);
  }

  @Test
  void ordersWithADurationScaleTheRateAndADurationAloneTheSpeed() {
    RunPlan fitted = RunPlan.resolve(SimulatorOptions.defaults().orders(100_000).duration("20s"));
    assertThat(fitted.wallSeconds()).isCloseTo(20, within(1e-6));
    assertThat(ArrivalSchedule.expectedOrders(fitted.profile())).isCloseTo(100_000, within(1.0));

    RunPlan played = RunPlan.resolve(SimulatorOptions.defaults().duration("2m"));
    assertThat(played.wallSeconds()).isCloseTo(120, within(1e-6));
    assertThat(played.profile().speed()).isEqualTo(720);
    assertThat(played.orders()).isEqualTo(-1);
    assertThat(played.expectedOrders()).isCloseTo(ArrivalSchedule.expectedOrders(Profiles.load("black-friday")),
        within(1.0));
  }
}
