package prunekit.data.tasks;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import prunekit.data.Corpora;
import prunekit.data.Corpus;
import prunekit.data.DataPaths;
import prunekit.data.Split;
import prunekit.data.Splits;

/**
 * Writes the offline substitute tasks {@code data/tasks/<task>.jsonl} and their metadata
 * {@code data/tasks/tasks.json} from the TEST split of every corpus, so no task text is ever in
 * calibration data. Deterministic: each (task, corpus) pair draws from its own
 * {@code new Random(seed * 31 + (task + "/" + corpus).hashCode())}; items are then shuffled.
 *
 * <p>Usage: {@code java -cp ... prunekit.data.tasks.TaskBuilder [itemsPerTask=1200] [seed=0] [dir=data/tasks]}.
 */
public final class TaskBuilder {

    /** The three tasks, in metadata order. */
    public static final List<TaskGenerator> GENERATORS =
            List.of(new ClozeGenerator(), new NextSentenceGenerator(), new MinimalPairGenerator());

    private TaskBuilder() {}

    public static void main(String[] args) {
        int perTask = args.length > 0 ? Integer.parseInt(args[0]) : 1200;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 0;
        Path dir = args.length > 2 ? Path.of(args[2]) : DataPaths.tasks();
        build(dir, perTask, seed);
    }

    /** Generates every task into {@code dir} with about {@code perTask} items each. */
    public static void build(Path dir, int perTask, long seed) {
        build(dir, perTask, seed, GENERATORS);
    }

    /** Generates the tasks of {@code generators} into {@code dir} (a tasks.json of just those). */
    public static void build(Path dir, int perTask, long seed, List<TaskGenerator> generators) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        JsonArray meta = new JsonArray();
        for (TaskGenerator g : generators) {
            List<Corpus> corpora = Corpora.NAMES.stream().map(Corpora::open).filter(g::accepts).toList();
            int quota = (perTask + corpora.size() - 1) / corpora.size();
            List<SourcedItem> items = new ArrayList<>();
            JsonObject perSource = new JsonObject();
            for (Corpus c : corpora) {
                var docs = Splits.load(c.name()).documents(c, Split.TEST);
                var got = g.generate(c, docs, quota, new Random(seed * 31 + (g.name() + "/" + c.name()).hashCode()));
                perSource.addProperty(c.name(), got.size());
                items.addAll(got);
            }
            Collections.shuffle(items, new Random(seed * 31 + g.name().hashCode()));
            StringBuilder sb = new StringBuilder();
            for (SourcedItem s : items) {
                JsonObject o = new JsonObject();
                o.addProperty("context", s.item().context());
                JsonArray ch = new JsonArray();
                s.item().choices().forEach(ch::add);
                o.add("choices", ch);
                o.addProperty("gold", s.item().gold());
                o.addProperty("source", s.source());
                sb.append(gson.toJson(o)).append('\n');
            }
            write(dir.resolve(g.name() + ".jsonl"), sb.toString());
            JsonObject m = new JsonObject();
            m.addProperty("name", g.name());
            m.addProperty("file", g.name() + ".jsonl");
            m.addProperty("substitute_for", g.substituteFor());
            m.addProperty("choices", g.choices());
            m.addProperty("chance", 1.0 / g.choices());
            m.addProperty("metric", g.metric());
            m.addProperty("items", items.size());
            m.add("items_per_source", perSource);
            m.addProperty("split", Split.TEST.label());
            m.addProperty("seed", seed);
            m.addProperty("generator", g.getClass().getName());
            meta.add(m);
            System.out.printf("%s: %d items %s%n", g.name(), items.size(), perSource);
        }
        write(dir.resolve("tasks.json"), new GsonBuilder().setPrettyPrinting().create().toJson(meta) + "\n");
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write", e);
        }
    }
}
