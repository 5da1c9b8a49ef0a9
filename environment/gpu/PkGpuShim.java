import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Launcher for the GPU route: starts DJL's PyTorch engine (which loads the machine's libtorch and
 * DJL's prebuilt JNI), loads the shim built on the machine ({@code -Dpk.shim=/path/libpk_djl_shim.so},
 * environment/gpu/shim/pk_djl_shim.cc), lets it rebind the JNI entry points that do not survive the
 * libtorch version change, then runs the main class named by the first argument with the rest.
 */
public final class PkGpuShim {

    private PkGpuShim() {}

    static native String install(int[] scalarTypes, int unknownOrdinal);

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) throw new IllegalArgumentException("usage: PkGpuShim MAIN_CLASS [ARGS...]");
        Engine engine = Engine.getEngine("PyTorch");
        String shim = System.getProperty("pk.shim");
        if (shim != null && !shim.isBlank()) {
            System.load(shim);
            System.err.println(install(scalarTypes(), DataType.UNKNOWN.ordinal()) + " (engine " + engine.getVersion() + ", gpus "
                    + engine.getGpuCount() + ")");
        } else {
            System.err.println("pk_djl_shim: none given (-Dpk.shim); DJL's JNI as shipped");
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** c10::ScalarType codes by DJL DataType ordinal; -1 where prunekit never needs one. */
    static int[] scalarTypes() {
        DataType[] all = DataType.values();
        int[] codes = new int[all.length];
        for (DataType t : all) {
            codes[t.ordinal()] = switch (t.name()) {
                case "UINT8" -> 0;
                case "INT8" -> 1;
                case "INT16" -> 2;
                case "INT32" -> 3;
                case "INT64" -> 4;
                case "FLOAT16" -> 5;
                case "FLOAT32" -> 6;
                case "FLOAT64" -> 7;
                case "BOOLEAN" -> 11;
                case "BFLOAT16" -> 15;
                default -> -1;
            };
        }
        return codes;
    }
}
