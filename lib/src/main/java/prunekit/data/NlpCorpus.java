package prunekit.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mixed-register English sentences (lyrics, TV transcripts, SMS, speeches, fiction, ...) from npm
 * {@code nlp-corpus@4.4.0}: {@code builds/doc-N.json} is a JSON array of 1000 shuffled, unrelated
 * sentences. Each file is one document (sentences joined by newlines); it is not {@link #coherent()}.
 */
final class NlpCorpus implements Corpus {

    private final Path dir;

    NlpCorpus(Path dir) {
        this.dir = dir;
    }

    @Override public String name() { return "nlp-corpus"; }

    @Override public String source() { return "npm nlp-corpus@4.4.0"; }

    @Override public boolean coherent() { return false; }

    @Override
    public List<Document> documents() {
        return Corpora.files(dir.resolve("builds"), name(), ".json").stream().map(f -> {
            JsonArray a = JsonParser.parseString(Corpora.read(f)).getAsJsonArray();
            List<String> lines = new ArrayList<>();
            for (JsonElement e : a) {
                String s = e.getAsString().strip();
                if (!s.isEmpty()) lines.add(s);
            }
            return new Document(Corpora.stem(f), Corpora.stem(f), String.join("\n", lines));
        }).toList();
    }
}
