package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLoaderTest {

    @TempDir Path dir;

    private Path write(String... lines) throws IOException {
        Path f = dir.resolve("mytask.jsonl");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void loadsItems() throws IOException {
        Path f = write("{\"context\": \"The cat\", \"choices\": [\" sat\", \" flew\"], \"gold\": 0}", "",
                "{\"context\": \"\", \"choices\": [\"a\", \"b\", \"c\"], \"gold\": 2}");
        ChoiceTask t = TaskLoader.load(f);
        assertEquals("mytask", t.name());
        assertEquals(2, t.items().size());
        assertEquals(List.of(" sat", " flew"), t.items().get(0).choices());
        assertEquals(2, t.items().get(1).gold());
        assertEquals((0.5 + 1.0 / 3) / 2, t.chanceLevel(), 1e-12);
    }

    @Test
    void errorsNameFileAndLine() throws IOException {
        String ok = "{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0}";
        assertError(write(ok, "{not json"), ":2", "not valid JSON");
        assertError(write(ok, ok, "{\"choices\": [\"a\", \"b\"], \"gold\": 0}"), ":3", "missing \"context\"");
        assertError(write("{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 5}"), ":1", "gold 5");
        assertError(write("{\"context\": \"c\", \"choices\": [\"a\", 3], \"gold\": 0}"), ":1", "array of strings");
        assertError(write("{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0.5}"), ":1", "integer");
        assertError(write("[1, 2]"), ":1", "JSON object");
    }

    @Test
    void theMetricComesFromTasksJsonBesideTheFile() throws IOException {
        Path f = write("{\"context\": \"c\", \"choices\": [\" a\", \" bcd\"], \"gold\": 1}");
        assertEquals(ChoiceTask.Metric.ACC, TaskLoader.load(f).metric(), "not listed: acc");
        Files.writeString(dir.resolve("tasks.json"), "[{\"name\": \"mytask\", \"file\": \"mytask.jsonl\", \"metric\": \"acc_norm\"}]");
        ChoiceTask t = TaskLoader.load(f);
        assertEquals(ChoiceTask.Metric.ACC_NORM, t.metric());
        assertEquals(ChoiceTask.Metric.ACC_NORM, t.limit(0).metric(), "a limited task keeps its metric");
        // and the evaluation reads with it: " a" wins on summed log-likelihood, " bcd" per byte
        var s = new MultipleChoice.ItemScore(new double[] {-2, -3}, new int[] {1, 1}, new int[] {2, 4}, 1);
        var r = MultipleChoice.summarise(t.name(), "m", List.of(s), 0.5, 0, t.metric());
        assertEquals(r.accNorm(), r.value());
        assertEquals(1.0, r.value());
        Files.writeString(dir.resolve("tasks.json"), "[{\"name\": \"mytask\", \"file\": \"mytask.jsonl\", \"metric\": \"f1\"}]");
        var e = assertThrows(IllegalArgumentException.class, () -> TaskLoader.load(f));
        assertTrue(e.getMessage().contains("'f1'") && e.getMessage().contains("acc, acc_norm"), e.getMessage());
        Files.writeString(dir.resolve("tasks.json"), "[{\"name\": \"mytask\", \"file\": \"mytask.jsonl\"}]");
        e = assertThrows(IllegalArgumentException.class, () -> TaskLoader.load(f));
        assertTrue(e.getMessage().contains("no \"metric\""), e.getMessage());
    }

    @Test
    void everyShippedTaskNamesItsMetric() {
        for (String name : TaskLoader.available()) {
            assertTrue(TaskLoader.load(name).items().size() >= 1000, name + ": at least 1,000 items");
        }
    }

    private static void assertError(Path f, String line, String what) {
        var e = assertThrows(IllegalArgumentException.class, () -> TaskLoader.load(f));
        assertTrue(e.getMessage().contains(f + line + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }
}
