package dev.oms.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code simulate}: places a seeded stream of retail orders through the whole OMS pipeline, prints
 * throughput, checkout and end-to-end latency, and audits the pipeline's invariants.
 *
 * <p>Exit codes: 0 when every invariant held, 1 when one did not (or the pipeline got stuck or
 * refused orders), 2 for usage errors.
 *
 * <p>From code, {@link #run(SimulatorOptions)} runs a simulation and returns its result, and
 * {@link #execute(PrintWriter, PrintWriter, String...)} behaves like the command line.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    versionProvider = SimulatorMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Replays a retail load profile (default: Black Friday, a day in about a minute) through the OMS pipeline "
            + "(checkout, inventory, payment, fulfillment, warehouse, notification, order view) with open-loop "
            + "arrivals and optional faults, measures throughput, latency and backlog, checks the pipeline's "
            + "invariants once it drained, and writes a report (summary.json, report.html).",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every invariant held",
        "1:an invariant was violated, orders were refused, or the pipeline got stuck",
        "2:usage error (unknown option or broker, invalid value)"})
public final class SimulatorMain implements Callable<Integer> {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @Mixin
  SimulatorOptions options = new SimulatorOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine cli = spec.commandLine();
    String problem = options.problem();
    if (problem != null) {
      throw new ParameterException(cli, problem);
    }
    try {
      Brokers.find(options.broker());
    } catch (Brokers.UnknownBrokerException e) {
      throw new ParameterException(cli, e.getMessage());
    }
    PrintWriter out = cli.getOut();
    if (options.reportDir == null && !options.noReport) {
      options.reportDir = java.nio.file.Path.of(SimulatorOptions.DEFAULT_REPORT_DIR);
    }
    if (options.noReport) {
      options.reportDir = null;
    }
    options.liveProgress = System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM"));
    SimulationResult result;
    try {
      result = new SimulationRun(options, cli.getErr()).execute();
    } catch (dev.oms.OmsException e) {
      if (e.kind() == dev.oms.OmsException.Kind.CONFIGURATION) {
        throw new ParameterException(cli, e.getMessage()); // a bad --broker-option: usage error, exit 2
      }
      throw e;
    }
    new SummaryPrinter(out, canShowUnicode()).print(result);
    return result.succeeded() ? EXIT_OK : EXIT_FAILED;
  }

  /** Runs a simulation without progress output and returns its result. */
  public static SimulationResult run(SimulatorOptions options) {
    return run(options, null);
  }

  /** Runs a simulation; progress lines (unless quiet) go to {@code progress} when it is not null. */
  public static SimulationResult run(SimulatorOptions options, PrintWriter progress) {
    String problem = options.problem();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new SimulationRun(options, progress).execute();
  }

  /** Parses {@code args} and runs like the command line; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /**
   * Like {@link #execute(PrintWriter, PrintWriter, String...)}, with the pipeline's inventory port
   * wrapped by {@code inventoryDecorator}: how tests break a port on purpose.
   */
  static int execute(PrintWriter out, PrintWriter err,
      java.util.function.Function<dev.oms.port.InventoryStore, dev.oms.port.InventoryStore> inventoryDecorator,
      String... args) {
    SimulatorMain main = new SimulatorMain();
    main.options.inventoryDecorator = inventoryDecorator;
    CommandLine cli = commandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    return commandLine(new SimulatorMain());
  }

  private static CommandLine commandLine(SimulatorMain main) {
    CommandLine cli = new CommandLine(main);
    cli.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE);
    cli.getCommandSpec().exitCodeOnExecutionException(EXIT_FAILED);
    return cli;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Whether stdout's encoding can show "µ" and "—" (not so under LANG=C on Java 17). */
  static boolean canShowUnicode() {
    String name = System.getProperty("sun.stdout.encoding");
    Charset charset;
    try {
      charset = name != null ? Charset.forName(name) : Charset.defaultCharset();
    } catch (RuntimeException e) {
      charset = Charset.defaultCharset();
    }
    return charset.equals(StandardCharsets.UTF_8) || charset.newEncoder().canEncode("\u00b5\u2014");
  }

  /** The version from the build, with the Java runtime. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"oms-simulator " + version(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }

    static String version() {
      Properties p = new Properties();
      try (InputStream in = SimulatorMain.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        return "unknown";
      }
      return p.getProperty("version", "unknown");
    }
  }
}
