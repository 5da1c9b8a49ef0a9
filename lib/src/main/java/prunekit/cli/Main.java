package prunekit.cli;

import ai.djl.engine.EngineException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code bin/prunekit}: the command-line front end, one picocli subcommand per class
 * ({@code prunekit <command> --help} lists its options). Each subcommand prints its result as
 * {@code key=value} lines, the last line being the headline number, so scripts can read it.
 *
 * <p>Exit codes: 0 done; 1 the work failed (the message says why, e.g. a missing file); 2 a bad
 * command line (one line naming the option and value, and what is accepted).
 */
@Command(name = "prunekit", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, showDefaultValues = true,
        sortOptions = false, usageHelpAutoWidth = true, versionProvider = Main.Version.class,
        description = {"Pruning LLaMA-family language models: GradMAP, GBLM-Pruner, Sliding Layer Merging.",
            "Run 'prunekit <command> --help' for a command's options. --record NAME appends the result to"
                    + " data/results/NAME.csv; PRUNEKIT_DEVICE=cpu|gpu picks the device."},
        subcommands = {InfoCommand.class, GenerateCommand.class, PplCommand.class, EvalCommand.class,
            PruneCommand.class, RecoverCommand.class, CkaCommand.class, ExportCommand.class, BenchCommand.class,
            ExperimentCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] argv) {
        System.exit(commandLine().execute(argv));
    }

    /** The command line with prunekit's error handling: usage errors exit 2, expected failures 1. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler(Main::failure);
    }

    /** {@code --version}: this jar's version (from its manifest) and the Java runtime. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"prunekit " + Main.class.getPackage().getImplementationVersion(),
                "Java " + Runtime.version()};
        }
    }

    /** {@code prunekit} alone: a usage error naming the commands. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (accepted: "
                + String.join(", ", spec.subcommands().keySet()) + ")");
    }

    /** One line naming the bad option or value (and close matches), then where the options are listed. */
    private static int usageError(ParameterException e, String[] argv) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + message(e, cmd));
        UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
        cmd.getErr().println("Try '" + name + " --help' for more information.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Picocli's message, or for an unknown command the commands accepted. */
    private static String message(ParameterException e, CommandLine cmd) {
        if (e instanceof UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + u.getUnmatched().get(0) + "' (accepted: "
                    + String.join(", ", cmd.getSubcommands().keySet()) + ")";
        }
        return e.getMessage().replaceFirst("^Error: ", "");
    }

    /** Expected failures (a missing file, a bad model, an engine error) print their message; others a stack trace. */
    private static int failure(Exception e, CommandLine cmd, ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException || e instanceof EngineException) {
            cmd.getErr().println("prunekit: " + e.getMessage() + causes(e));
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        }
        throw e;
    }

    /**
     * The causes' messages not already in e's, e.g. why DJL could not fetch libtorch: "Failed to save pytorch
     * index file" says nothing without its {@code UnknownHostException: publish.djl.ai}.
     */
    private static String causes(Exception e) {
        StringBuilder s = new StringBuilder();
        String seen = String.valueOf(e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
            if (c.getMessage() == null || !seen.contains(c.getMessage())) {
                s.append(" (").append(m).append(')');
                seen += m;
            }
        }
        return s.toString();
    }
}
