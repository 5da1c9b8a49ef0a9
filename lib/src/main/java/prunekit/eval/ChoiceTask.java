package prunekit.eval;

import java.util.List;
import prunekit.data.tasks.ChoiceItem;

/**
 * A named list of multiple-choice items and the metric it is read with.
 *
 * @param name task name, e.g. {@code "cloze"} (results record it as the data column)
 * @param items the questions
 * @param metric which accuracy the task is read with ({@link Metric#ACC} unless the task's
 *               metadata says otherwise, e.g. {@code acc_norm} where choices differ in length)
 */
public record ChoiceTask(String name, List<ChoiceItem> items, Metric metric) {

    /** The two accuracies of lm-evaluation-harness's multiple choice. */
    public enum Metric {
        /** argmax of the summed log-likelihood. */
        ACC("acc"),
        /** argmax of the log-likelihood per byte of the choice. */
        ACC_NORM("acc_norm");

        private final String label;

        Metric(String label) {
            this.label = label;
        }

        /** The name used in records, tasks.json and the CLI: {@code acc} or {@code acc_norm}. */
        public String label() {
            return label;
        }

        /** The metric called {@code label}; an error names the value and what is accepted. */
        public static Metric of(String label) {
            for (Metric m : values()) if (m.label.equals(label)) return m;
            throw new IllegalArgumentException("unknown metric '" + label + "', accepted: acc, acc_norm");
        }
    }

    public ChoiceTask {
        items = List.copyOf(items);
        if (metric == null) throw new IllegalArgumentException(name + ": metric is null, accepted: acc, acc_norm");
    }

    /** A task read with {@code acc}. */
    public ChoiceTask(String name, List<ChoiceItem> items) {
        this(name, items, Metric.ACC);
    }

    /** Accuracy of guessing uniformly: the mean over items of 1 / number of choices. */
    public double chanceLevel() {
        return items.stream().mapToDouble(i -> 1.0 / i.choices().size()).average().orElse(Double.NaN);
    }

    /** The first {@code n} items (all if fewer), for quick runs. */
    public ChoiceTask limit(int n) {
        return n >= items.size() ? this : new ChoiceTask(name, items.subList(0, n), metric);
    }
}
