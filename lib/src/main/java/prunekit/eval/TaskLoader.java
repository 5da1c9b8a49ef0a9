package prunekit.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.data.DataPaths;
import prunekit.data.tasks.ChoiceItem;

/**
 * Reads multiple-choice tasks from JSONL, one item per line:
 * {@code {"context": str, "choices": [str, ...], "gold": int}}. Blank lines are skipped; any
 * other malformed line is an error naming the file and line number.
 *
 * <p>The metric a task is read with ({@code acc} or {@code acc_norm}) is the {@code "metric"} field
 * of its entry in the {@code tasks.json} beside the file, so no caller can pick the wrong one; a
 * file that {@code tasks.json} does not list (a task a user brings) is read with {@code acc}.
 */
public final class TaskLoader {

    private TaskLoader() {}

    /** Loads {@code data/tasks/<name>.jsonl}, e.g. {@code load("cloze")}. */
    public static ChoiceTask load(String name) {
        Path file = DataPaths.tasks().resolve(name + ".jsonl");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("unknown task '" + name + "': " + file + " does not exist; accepted: "
                    + String.join(", ", available()));
        }
        return load(file);
    }

    /** Names of the task files in {@code data/tasks/}. */
    public static List<String> available() {
        try (var s = Files.list(DataPaths.tasks())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl"))
                    .map(n -> n.substring(0, n.length() - ".jsonl".length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Loads a JSONL task file; the task name is the file name without {@code .jsonl}. */
    public static ChoiceTask load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read task file", e);
        }
        List<ChoiceItem> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            items.add(parse(lines.get(i), file + ":" + (i + 1)));
        }
        if (items.isEmpty()) throw new IllegalArgumentException(file + ": no items");
        String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        return new ChoiceTask(name, items, metricOf(file));
    }

    /** The metric that {@code tasks.json} beside {@code file} gives it; {@code acc} if it is not listed. */
    static ChoiceTask.Metric metricOf(Path file) {
        Path meta = file.toAbsolutePath().resolveSibling("tasks.json");
        if (!Files.isRegularFile(meta)) return ChoiceTask.Metric.ACC;
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(meta));
        } catch (IOException e) {
            throw new UncheckedIOException(meta + ": cannot read task metadata", e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(meta + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!root.isJsonArray()) throw new IllegalArgumentException(meta + ": expected a JSON array of task entries");
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("file") || !o.get("file").getAsString().equals(file.getFileName().toString())) continue;
            if (!o.has("metric")) {
                throw new IllegalArgumentException(meta + ": the entry for " + file.getFileName()
                        + " has no \"metric\" (accepted: acc, acc_norm)");
            }
            try {
                return ChoiceTask.Metric.of(o.get("metric").getAsString());
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(meta + ": " + file.getFileName() + ": " + bad.getMessage(), bad);
            }
        }
        return ChoiceTask.Metric.ACC;
    }

    /** Parses one JSONL line; {@code where} ("file:line") prefixes every error. */
    static ChoiceItem parse(String line, String where) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + brief(line));
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + ": not valid JSON (" + e.getMessage() + "): " + brief(line), e);
        }
        for (String key : List.of("context", "choices", "gold")) {
            if (!o.has(key) || o.get(key).isJsonNull()) throw new IllegalArgumentException(where + ": missing \"" + key + "\"");
        }
        if (!o.get("context").isJsonPrimitive() || !o.get("context").getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": \"context\" must be a string");
        }
        if (!o.get("choices").isJsonArray()) throw new IllegalArgumentException(where + ": \"choices\" must be an array of strings");
        JsonArray a = o.getAsJsonArray("choices");
        List<String> choices = new ArrayList<>();
        for (JsonElement c : a) {
            if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(where + ": \"choices\" must be an array of strings, found " + c);
            }
            choices.add(c.getAsString());
        }
        JsonElement g = o.get("gold");
        if (!g.isJsonPrimitive() || !g.getAsJsonPrimitive().isNumber() || g.getAsDouble() != Math.rint(g.getAsDouble())) {
            throw new IllegalArgumentException(where + ": \"gold\" must be an integer, found " + g);
        }
        try {
            return new ChoiceItem(o.get("context").getAsString(), choices, g.getAsInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String brief(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
