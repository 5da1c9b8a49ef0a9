package prunekit.viz;

/**
 * The one call a notebook's setup cell makes: {@code prunekit.viz.Notebook.install();}.
 *
 * <p>After it, a cell whose last expression is a Tablesaw {@code Table} shows an HTML table (with a
 * text version for plain viewers), and a cell ending in an XChart chart shows a PNG image. Both are
 * static outputs: no JavaScript, so they render on GitHub and offline.
 *
 * <p>The renderers are registered with the JJava kernel that runs the notebook. The kernel's
 * classes are only touched when they are present, so the library runs unchanged outside a
 * notebook, where {@link #install()} does nothing.
 */
public final class Notebook {

    /** Environment variable the prunekit kernelspec sets to {@code 1}. */
    public static final String ENV_FLAG = "PRUNEKIT_NOTEBOOK";

    /** System property with the same meaning as {@link #ENV_FLAG}, for JVMs started by hand. */
    public static final String PROPERTY_FLAG = "prunekit.notebook";

    private static final String KERNEL_CLASS = "org.dflib.jjava.jupyter.kernel.BaseKernel";

    private static boolean installed;

    private Notebook() {}

    /**
     * Registers the table and chart renderers with the running JJava kernel. Safe to call again
     * (re-running the setup cell): the renderers are registered once per kernel.
     *
     * @return true if the renderers are registered, false when no JJava kernel runs this JVM
     */
    public static synchronized boolean install() {
        if (!installed && kernelClassesPresent()) {
            installed = JJavaRenderers.registerWithRunningKernel();
        }
        return installed;
    }

    /**
     * Whether this JVM runs inside a notebook kernel: the prunekit kernelspec sets
     * {@code PRUNEKIT_NOTEBOOK=1}; {@code -Dprunekit.notebook=true} does the same by hand.
     */
    public static boolean isActive() {
        return "1".equals(System.getenv(ENV_FLAG)) || Boolean.getBoolean(PROPERTY_FLAG);
    }

    private static boolean kernelClassesPresent() {
        try {
            Class.forName(KERNEL_CLASS, false, Notebook.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
