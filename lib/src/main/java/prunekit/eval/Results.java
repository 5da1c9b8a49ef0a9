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
        ColumnType.DOUBLE, ColumnType.DOUBLE, ColumnType.LONG
    };

    private Results() {}

    /** {@code data/results/<name>.csv}. */
    public static Path file(String name) {
        return DataPaths.results().resolve(name + ".csv");
    }

    /** Appends {@code records} to {@code csv}, creating it (and its folder) with a header if absent. */
    public static void append(Path csv, List<ResultRecord> records) {
        StringBuilder sb = new StringBuilder();
        try {
            if (csv.getParent() != null) Files.createDirectories(csv.getParent());
            if (!Files.exists(csv) || Files.size(csv) == 0) sb.append(String.join(",", ResultRecord.COLUMNS)).append('\n');
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

    /** The CSV as a Tablesaw table with the column types of {@link ResultRecord}. */
    public static Table load(Path csv) {
        if (!Files.isRegularFile(csv)) throw new IllegalArgumentException(csv + ": no results file");
        try (var reader = Files.newBufferedReader(csv)) {
            String header = reader.readLine();
            if (header == null || !header.equals(String.join(",", ResultRecord.COLUMNS))) {
                throw new IllegalArgumentException(csv + ": header is '" + header + "', expected '"
                        + String.join(",", ResultRecord.COLUMNS) + "'");
            }
            return Table.read().usingOptions(CsvReadOptions.builder(csv.toFile())
                    .tableName(csv.getFileName().toString()).columnTypes(TYPES).missingValueIndicator("NaN"));
        } catch (IOException e) {
            throw new UncheckedIOException(csv + ": cannot read results", e);
        }
    }
}
