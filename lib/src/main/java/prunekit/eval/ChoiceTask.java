package prunekit.eval;

import java.util.List;
import prunekit.data.tasks.ChoiceItem;

/**
 * A named list of multiple-choice items.
 *
 * @param name task name, e.g. {@code "cloze"} (results record it as the data column)
 * @param items the questions
 */
public record ChoiceTask(String name, List<ChoiceItem> items) {

    public ChoiceTask {
        items = List.copyOf(items);
    }

    /** Accuracy of guessing uniformly: the mean over items of 1 / number of choices. */
    public double chanceLevel() {
        return items.stream().mapToDouble(i -> 1.0 / i.choices().size()).average().orElse(Double.NaN);
    }

    /** The first {@code n} items (all if fewer), for quick runs. */
    public ChoiceTask limit(int n) {
        return n >= items.size() ? this : new ChoiceTask(name, items.subList(0, n));
    }
}
