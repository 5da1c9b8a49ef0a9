package prunekit.data.tasks;

import java.util.List;

/**
 * One multiple-choice question in lm-evaluation-harness form: the model scores each choice as a
 * continuation of the context.
 *
 * @param context text before the answer; may be empty
 * @param choices candidate continuations, usually starting with a space (" word")
 * @param gold index of the correct choice
 */
public record ChoiceItem(String context, List<String> choices, int gold) {

    public ChoiceItem {
        choices = List.copyOf(choices);
        if (choices.size() < 2) throw new IllegalArgumentException("need at least 2 choices, got " + choices.size());
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold " + gold + " is not an index of " + choices.size() + " choices");
        }
        for (String c : choices) if (c.isEmpty()) throw new IllegalArgumentException("a choice is empty");
    }
}
