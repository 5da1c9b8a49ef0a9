package prunekit.eval;

/** RFC 4180 field quoting for the result files. */
final class Csv {

    private Csv() {}

    /** {@code s} as a CSV field: quoted when it holds a comma, quote, CR or LF; inner quotes doubled. */
    static String quote(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
