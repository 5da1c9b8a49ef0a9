package prunekit.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import prunekit.data.DataPaths;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** Appends {@link ResultRecord}s to CSV files under {@code data/results/} and reads them back as tables. */
public final class Results {

    /** Column types of the CSV, in {@link ResultRecord#COLUMNS} order. */
    private static final ColumnType[] TYPES = {
        ColumnType.STRING, ColumnType.STRING, ColumnType.STRING, ColumnType.STRING, ColumnType.STRING,
        ColumnType.INTEGER, ColumnType.LONG, ColumnType.STRING, ColumnType.DOUBLE, ColumnType.STRING,
        ColumnType.DOUBLE, ColumnType.DOUBLE, ColumnType.LONG, ColumnType.DOUBLE, ColumnType.DOUBLE
    };

    private Results() {}

    /** {@code data/results/<name>.csv}. */
    public static Path file(String name) {
        return DataPaths.results().resolve(name + ".csv");
    }

    /**
     * Appends {@code records} to {@code csv}, creating it (and its folder) with a header if absent. A
     * file written before intervals were recorded is first upgraded: its rows get empty ({@code NaN})
     * interval columns.
     */
    public static void append(Path csv, List<ResultRecord> records) {
        StringBuilder sb = new StringBuilder();
        try {
            if (csv.getParent() != null) Files.createDirectories(csv.getParent());
            if (!Files.exists(csv) || Files.size(csv) == 0) sb.append(String.join(",", ResultRecord.COLUMNS)).append('\n');
            else if (header(csv).equals(String.join(",", ResultRecord.COLUMNS_WITHOUT_CI))) upgrade(csv);
            for (ResultRecord r : records) sb.append(r.toCsvLine()).append('\n');
            Files.writeString(csv, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(csv + ": cannot append results", e);
        }
    }

    /** Appends one record. */
    public static void append(Path csv, ResultRecord record) {
        append(csv, List.of(record));
    }

    /**
     * The CSV as a Tablesaw table with the column types of {@link ResultRecord}; a file without the
     * interval columns reads with them missing ({@code NaN}).
     */
    public static Table load(Path csv) {
        if (!Files.isRegularFile(csv)) throw new IllegalArgumentException(csv + ": no results file");
        try {
            String header = header(csv);
            boolean withoutCi = header.equals(String.join(",", ResultRecord.COLUMNS_WITHOUT_CI));
            if (!withoutCi && !header.equals(String.join(",", ResultRecord.COLUMNS))) {
                throw new IllegalArgumentException(csv + ": header is '" + header + "', expected '"
                        + String.join(",", ResultRecord.COLUMNS) + "'");
            }
            Table t = Table.read().usingOptions(CsvReadOptions.builder(csv.toFile())
                    .tableName(csv.getFileName().toString())
                    .columnTypes(withoutCi ? java.util.Arrays.copyOf(TYPES, TYPES.length - 2) : TYPES)
                    .missingValueIndicator("NaN"));
            if (withoutCi) {
                for (String c : List.of("ci_low", "ci_high")) {
                    t.addColumns(tech.tablesaw.api.DoubleColumn.create(c, t.rowCount()));
                }
            }
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(csv + ": cannot read results", e);
        }
    }

    private static String header(Path csv) throws IOException {
        try (var reader = Files.newBufferedReader(csv)) {
            String header = reader.readLine();
            return header == null ? "" : header;
        }
    }

    /** Rewrites a file with the header before intervals: new header, every row with NaN interval columns. */
    private static void upgrade(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(String.join(",", ResultRecord.COLUMNS)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            if (line.chars().filter(c -> c == '"').count() % 2 != 0) {
                throw new IllegalArgumentException(csv + ": a row spans several lines, so it cannot be upgraded to the"
                        + " header with ci_low,ci_high line by line; add ',NaN,NaN' to each record by hand");
            }
            sb.append(line).append(",NaN,NaN\n");
        }
        Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
