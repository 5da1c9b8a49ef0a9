package prunekit.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import prunekit.data.Corpora;
import prunekit.data.Split;
import prunekit.eval.TaskLoader;
import prunekit.merge.MergeRule;
import prunekit.prune.LayerMethods;

/**
 * The names an option accepts, taken from the library, as a picocli converter (a name outside them
 * is a usage error naming it and listing them) and as the completion candidates its help lists
 * ({@code ${COMPLETION-CANDIDATES}}). One subclass per set, e.g.
 * {@code @Option(names = "--corpus", converter = Choices.Corpus.class, completionCandidates = Choices.Corpus.class)}.
 */
abstract class Choices implements ITypeConverter<String>, Iterable<String> {

    private final String what;
    private final Supplier<List<String>> names;

    Choices(String what, Supplier<List<String>> names) {
        this.what = what;
        this.names = names;
    }

    @Override
    public String convert(String value) {
        if (!names.get().contains(value)) {
            throw new TypeConversionException("unknown " + what + " '" + value + "' (accepted: " + this + ")");
        }
        return value;
    }

    @Override
    public Iterator<String> iterator() {
        return names.get().iterator();
    }

    @Override
    public String toString() {
        return String.join(", ", names.get());
    }

    /** The corpora of {@link Corpora#NAMES}. */
    static final class Corpus extends Choices {
        Corpus() {
            super("corpus", () -> Corpora.NAMES);
        }
    }

    /** The document splits of {@link Split}. */
    static final class SplitName extends Choices {
        SplitName() {
            super("split", () -> Arrays.stream(Split.values()).map(Split::label).toList());
        }
    }

    /** The task files in data/tasks ({@link TaskLoader#available}), or a {@code .jsonl} file of one's own. */
    static final class Task extends Choices {
        Task() {
            super("task", TaskLoader::available);
        }

        @Override
        public String convert(String value) {
            return value.endsWith(".jsonl") ? value : super.convert(value);
        }
    }

    /** The merge rules of {@link MergeRule#of}. */
    static final class MergeRuleName extends Choices {
        MergeRuleName() {
            super("merge rule", () -> List.of(MergeRule.NAMES.split(", ")));
        }
    }

    /** {@code prune}'s methods: the layer-removal methods, Sliding Layer Merging, the weight- and width-pruning methods. */
    static final class PruneMethod extends Choices {
        PruneMethod() {
            super("method", () -> Stream.of(LayerMethods.ALL, List.of(MergeCommand.METHOD), WeightPruneCommand.METHODS,
                    WidthPruneCommand.METHODS)
                    .flatMap(List::stream).distinct().toList());
        }
    }
}
