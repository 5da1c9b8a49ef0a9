package prunekit.cli;

import java.util.ArrayList;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code prunekit experiment}: the result grids, appended record by record to {@code data/results/NAME.csv}. */
@Command(name = "experiment", description = "Run a result grid, appending each record to data/results/NAME.csv.",
        subcommands = {LayerPruningExperiment.class, WeightPruningExperiment.class, LayerMergingExperiment.class,
            DepthWidthExperiment.class})
final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code prunekit experiment} alone: a usage error naming the experiments. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing experiment (accepted: "
                + String.join(", ", spec.subcommands().keySet()) + ")");
    }

    /** A list option given as {@code none}: the empty list (a grid without tasks, say). */
    static final class NoneIsEmpty implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec arg, Map<String, Object> info) {
            if (args.isEmpty() || !args.peek().equals("none")) {
                return false;                                  // picocli parses the list
            }
            args.pop();
            arg.setValue(new ArrayList<>());
            return true;
        }
    }
}
