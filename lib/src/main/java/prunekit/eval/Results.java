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

/**
 * Appends {@link ResultRecord}s to CSV files under {@code data/results/} and reads them back as tables.
 *
 * <p>A record's per-unit values (each perplexity window's NLL, each item's 1/0; {@link ResultRecord#units()})
 * go to the <b>units file</b> beside it, {@code <name>.units.csv}: one row per record that has them,
 * {@code method,settings,data,seqlen,device,metric,units}, the units space-separated. It is what lets a
 * {@link RecordSet} pair two models measured in one run, or in two runs on the same windows and items.
 */
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
     * The file for one run's records, to hold exactly that run: with {@code temporary} a fresh temporary file
     * (a small CI run, whose records must not land in {@code data/results/}), otherwise {@link #file(String)}
     * with any earlier record of that name and its units file deleted, so that running a notebook again
     * writes no second copy of its models.
     */
    public static Path fresh(String name, boolean temporary) {
        try {
            if (temporary) return Files.createTempFile(name + "-", ".csv");
            Path csv = file(name);
            Files.deleteIfExists(csv);
            Files.deleteIfExists(unitsFile(csv));
            return csv;
        } catch (IOException e) {
            throw new UncheckedIOException("results file for '" + name + "': " + e.getMessage(), e);
        }
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
            StringBuilder units = new StringBuilder();
            for (ResultRecord r : records) {
                sb.append(r.toCsvLine()).append('\n');
                if (r.units() != null) units.append(unitsLine(r)).append('\n');
            }
            if (units.length() > 0) {
                Path file = unitsFile(csv);
                if (!Files.exists(file) || Files.size(file) == 0) units.insert(0, String.join(",", UNITS_COLUMNS) + "\n");
                Files.writeString(file, units, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
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

    /** Header of a units file. */
    static final List<String> UNITS_COLUMNS = List.of("method", "settings", "data", "seqlen", "device", "metric", "units");

    /** The units file beside a record file: {@code x.csv} → {@code x.units.csv}. */
    public static Path unitsFile(Path csv) {
        String name = csv.getFileName().toString();
        return csv.resolveSibling((name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name) + ".units.csv");
    }

    /**
     * The per-unit values stored beside {@code csv}, one entry per row of its units file, in file
     * order; empty when there is no units file (records made before units were kept).
     */
    public static List<ResultRecord> loadUnits(Path csv) {
        Path file = unitsFile(csv);
        if (!Files.isRegularFile(file)) return List.of();
        List<ResultRecord> out = new java.util.ArrayList<>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (!String.join(",", UNITS_COLUMNS).equals(header)) {
                throw new IllegalArgumentException(file + ": header is '" + header + "', expected '"
                        + String.join(",", UNITS_COLUMNS) + "'");
            }
            int lineNo = 1;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                List<String> f = Csv.split(line);
                if (f.size() != UNITS_COLUMNS.size()) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": " + f.size() + " fields, expected "
                            + UNITS_COLUMNS.size());
                }
                double[] units;
                try {
                    units = f.get(6).isBlank() ? new double[0]
                            : java.util.Arrays.stream(f.get(6).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": a unit is not a number (" + e.getMessage() + ")");
                }
                out.add(new ResultRecord(java.time.Instant.EPOCH, "", f.get(0), f.get(1), f.get(2),
                        Integer.parseInt(f.get(3)), -1, f.get(4), Double.NaN, f.get(5), Double.NaN, Double.NaN,
                        units.length, Bootstrap.Interval.NONE, units));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read units", e);
        }
        return out;
    }

    private static String unitsLine(ResultRecord r) {
        StringBuilder u = new StringBuilder();
        for (double v : r.units()) {
            if (u.length() > 0) u.append(' ');
            u.append(v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Float.toString((float) v));
        }
        return String.join(",", Csv.quote(r.method()), Csv.quote(r.settings()), Csv.quote(r.data()),
                Integer.toString(r.seqLen()), Csv.quote(r.device()), Csv.quote(r.metric()), u);
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
        Path tmp = Files.createTempFile(csv.toAbsolutePath().getParent(), csv.getFileName().toString(), ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
