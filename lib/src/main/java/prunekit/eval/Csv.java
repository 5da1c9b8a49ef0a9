package prunekit.eval;

import java.util.ArrayList;
import java.util.List;

/** RFC 4180 fields for the result files: quoting on write, splitting one line on read. */
final class Csv {

    private Csv() {}

    /** {@code s} as a CSV field: quoted when it holds a comma, quote, CR or LF; inner quotes doubled. */
    static String quote(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** The fields of one CSV line (no line breaks inside fields), quotes removed and doubled quotes undone. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c != '"') field.append(c);
                else if (i + 1 < line.length() && line.charAt(i + 1) == '"') field.append(line.charAt(++i));
                else quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new IllegalArgumentException("unterminated quoted field in CSV line: " + line);
        fields.add(field.toString());
        return fields;
    }
}
