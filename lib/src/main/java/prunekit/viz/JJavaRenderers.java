package prunekit.viz;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * The render functions for the JJava kernel. Kept apart from {@link Notebook} so that the kernel's
 * classes are linked only once {@link Notebook} has checked that they exist.
 */
final class JJavaRenderers {

    private JJavaRenderers() {}

    /** Registers with the kernel running this notebook; false if this JVM runs no kernel. */
    static boolean registerWithRunningKernel() {
        BaseKernel kernel;
        try {
            kernel = BaseKernel.notebookKernel();
        } catch (NullPointerException noKernel) {
            return false; // JJava's way of saying "No kernel running"
        }
        register(kernel.getRenderer());
        return true;
    }

    /**
     * Tables render as HTML and text, charts as PNG (base64, as Jupyter expects) and a one-line
     * text description; a viewer picks the richest type it can show.
     */
    static void register(Renderer renderer) {
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
                .register((table, context) -> {
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> Tables.toHtml(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> Tables.toText(table));
                });
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                .register((chart, context) -> {
                    context.renderIfRequested(MIMEType.IMAGE_PNG, () -> ChartImages.pngBase64(chart));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> ChartImages.describe(chart));
                });
    }
}
