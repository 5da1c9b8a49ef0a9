package prunekit.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code prunekit} in this JVM, as {@link Main#main} does but without exiting, and keeps what it printed. */
record Cli(int exitCode, String out, String err) {

    /**
     * The exit code, standard output (the commands' key=value lines, or the help) and standard error
     * (usage errors and failures).
     */
    static Cli run(String... argv) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute(argv);
        } finally {
            System.setOut(old);
        }
        return new Cli(code, printed.toString(StandardCharsets.UTF_8) + out, err.toString());
    }
}
