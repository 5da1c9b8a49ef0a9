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

    private static void assertError(Path f, String line, String what) {
        var e = assertThrows(IllegalArgumentException.class, () -> TaskLoader.load(f));
        assertTrue(e.getMessage().contains(f + line + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }
}
