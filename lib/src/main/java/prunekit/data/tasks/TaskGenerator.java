package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * Builds substitute multiple-choice items from held-out documents. One small class per task;
 * {@link TaskBuilder} runs each over the test split of every corpus it accepts.
 */
public interface TaskGenerator {

    /** Task name, also the file name {@code data/tasks/<name>.jsonl}. */
    String name();

    /** The public benchmark this task stands in for, and how it differs. */
    String substituteFor();

    /** Choices per item. */
    int choices();

    /**
     * The accuracy the task is read with, {@code "acc"} or {@code "acc_norm"} (written to
     * {@code tasks.json}, which the evaluation reads, so no caller can pick the other).
     */
    String metric();

    /** Whether this task can be built from {@code corpus} (e.g. next-sentence needs coherent text). */
    default boolean accepts(Corpus corpus) {
        return true;
    }

    /**
     * Up to {@code count} items from {@code docs} (the test split of {@code corpus}).
     *
     * @param rng the only source of randomness, so a seed fixes the output
     */
    List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng);

    /** An item whose choices are {@code gold} and {@code distractors} in a random order. */
    static ChoiceItem shuffled(String context, String gold, List<String> distractors, Random rng) {
        List<String> choices = new ArrayList<>(distractors);
        choices.add(gold);
        Collections.shuffle(choices, rng);
        return new ChoiceItem(context, choices, choices.indexOf(gold));
    }
}
