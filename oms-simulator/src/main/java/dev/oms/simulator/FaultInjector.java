package dev.oms.simulator;

import dev.oms.Oms;
import dev.oms.OmsService;
import dev.oms.broker.spi.EventBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the fault plan's timed faults against the running pipeline through the public API: an
 * outage pauses a service's subscription and resumes it, a broker restart goes through the
 * {@link BrokerRestarter} hook. Records when each fault really started and ended (seconds from the
 * start of the run) for the report.
 */
final class FaultInjector implements AutoCloseable {
  /** A fault as it happened: {@code end} is NaN while it lasts. */
  record Window(String kind, String target, double start, double end) {}

  private final Oms oms;
  private final RunClock clock;
  private final ScheduledExecutorService timer;
  private final List<Window> windows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Set<OmsService> paused = EnumSet.noneOf(OmsService.class);

  FaultInjector(Oms oms, RunClock clock) {
    this.oms = oms;
    this.clock = clock;
    this.timer = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "simulator-faults");
      t.setDaemon(true);
      return t;
    });
  }

  /** Schedules every timed fault of {@code plan}, relative to the clock's start. */
  void schedule(FaultPlan plan, String brokerName, EventBroker broker) {
    double wall = clock.wallNanos();
    for (FaultPlan.Outage o : plan.outages()) {
      if (!oms.runningServices().contains(o.service())) {
        note(o.service().group() + " does not run in this process; its outage is skipped");
        continue;
      }
      at(o.from() * wall, () -> pause(o.service()));
      at(o.to() * wall, () -> resume(o.service()));
    }
    for (FaultPlan.Slow s : plan.slow()) {
      synchronized (windows) {
        windows.add(new Window("slow", s.service().group() + " +" + Durations.formatNanos(s.delayNanos()),
            s.from() * wall / 1e9, s.to() * wall / 1e9));
      }
    }
    if (!plan.restarts().isEmpty()) {
      BrokerRestarter restarter = BrokerRestarter.find(brokerName, broker);
      if (restarter == null) {
        note("broker " + brokerName + " cannot be restarted (no BrokerRestarter on the class path supports it); "
            + plan.restarts().size() + " planned restart(s) skipped");
      } else {
        for (FaultPlan.Restart r : plan.restarts()) {
          at(r.at() * wall, () -> restart(restarter, broker, brokerName, r.downtimeSeconds()));
        }
      }
    }
  }

  private void at(double offsetNanos, Runnable task) {
    long delay = clock.startNanos() + (long) offsetNanos - System.nanoTime();
    timer.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        note("fault failed: " + e);
      }
    }, Math.max(0, delay), TimeUnit.NANOSECONDS);
  }

  private void pause(OmsService service) {
    synchronized (paused) {
      if (!paused.add(service)) {
        return;
      }
      oms.service(service).pause();
    }
    open("outage", service.group());
  }

  private void resume(OmsService service) {
    synchronized (paused) {
      if (!paused.remove(service)) {
        return;
      }
      oms.service(service).resume();
    }
    close("outage", service.group());
  }

  private void restart(BrokerRestarter restarter, EventBroker broker, String name, double downtime) {
    open("broker restart", name);
    try {
      restarter.restart(broker, Duration.ofNanos((long) (downtime * 1e9)));
    } catch (Exception e) {
      note("broker restart failed: " + e);
    } finally {
      close("broker restart", name);
    }
  }

  private void open(String kind, String target) {
    synchronized (windows) {
      windows.add(new Window(kind, target, clock.seconds(System.nanoTime()), Double.NaN));
    }
  }

  private void close(String kind, String target) {
    double now = clock.seconds(System.nanoTime());
    synchronized (windows) {
      for (int i = windows.size() - 1; i >= 0; i--) {
        Window w = windows.get(i);
        if (w.kind().equals(kind) && w.target().equals(target) && Double.isNaN(w.end())) {
          windows.set(i, new Window(kind, target, w.start(), now));
          return;
        }
      }
    }
  }

  private void note(String text) {
    synchronized (notes) {
      notes.add(text);
    }
  }

  /** Faults as they happened so far. */
  List<Window> windows() {
    synchronized (windows) {
      return List.copyOf(windows);
    }
  }

  List<String> notes() {
    synchronized (notes) {
      return List.copyOf(notes);
    }
  }

  /** Whether a service is paused right now (an outage in progress). */
  boolean anyPaused() {
    synchronized (paused) {
      return !paused.isEmpty();
    }
  }

  /** Stops scheduling; resumes every service still paused (an outage never outlives the run). */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (OmsService s : OmsService.values()) {
      resume(s);
    }
    if (!windows.isEmpty()) {
      String unfinished = windows().stream().filter(w -> Double.isNaN(w.end())).map(Window::target)
          .reduce((a, b) -> a + ", " + b).orElse(null);
      if (unfinished != null) {
        note(String.format(Locale.US, "faults still open at the end: %s", unfinished));
      }
    }
  }
}
