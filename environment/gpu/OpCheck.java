import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Op-by-op check of the DJL/PyTorch operations prunekit uses: each op runs on the same inputs on
 * the CPU and on the GPU, and the relative difference ||gpu - cpu|| / ||cpu|| (float64) is
 * printed. Ops named in the first argument (comma-separated) are skipped, so a run that dies on an
 * unresolved libtorch symbol can be repeated without the op that killed it. Standalone (only DJL on
 * the classpath); see environment/gpu/README.md.
 */
public final class OpCheck {

    private interface Op {
        NDArray apply(NDManager m, NDArray a, NDArray b, NDArray sq);
    }

    public static void main(String[] args) {
        Set<String> skip = args.length > 0 ? Set.of(args[0].split(",")) : Set.of();
        Engine e = Engine.getInstance();
        System.out.println("engine=" + e.getEngineName() + " version=" + e.getVersion()
                + " gpus=" + e.getGpuCount() + " default=" + e.defaultDevice());
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("add", (m, a, b, s) -> a.add(b));
        ops.put("sub", (m, a, b, s) -> a.sub(b));
        ops.put("mul", (m, a, b, s) -> a.mul(b));
        ops.put("div", (m, a, b, s) -> a.div(b.abs().add(1)));
        ops.put("neg", (m, a, b, s) -> a.neg());
        ops.put("abs", (m, a, b, s) -> a.abs());
        ops.put("sqrt", (m, a, b, s) -> a.abs().sqrt());
        ops.put("square", (m, a, b, s) -> a.square());
        ops.put("pow", (m, a, b, s) -> a.pow(2));
        ops.put("exp", (m, a, b, s) -> a.exp());
        ops.put("sin", (m, a, b, s) -> a.sin());
        ops.put("cos", (m, a, b, s) -> a.cos());
        ops.put("sigmoid", (m, a, b, s) -> ai.djl.nn.Activation.sigmoid(a));
        ops.put("matMul", (m, a, b, s) -> a.matMul(b.transpose()));
        ops.put("matMul3d", (m, a, b, s) -> a.reshape(4, 16, 32).matMul(b.reshape(4, 16, 32).transpose(0, 2, 1)));
        ops.put("transpose", (m, a, b, s) -> a.reshape(4, 16, 32).transpose(1, 0, 2).duplicate());
        ops.put("reshape", (m, a, b, s) -> a.reshape(32, 64));
        ops.put("split+concat", (m, a, b, s) -> {
            NDList parts = a.split(new long[] {10, 20}, 1);
            return parts.get(2).concat(parts.get(0), 1).concat(parts.get(1), 1);
        });
        ops.put("stack", (m, a, b, s) -> NDArrays_stack(a, b));
        ops.put("squeeze", (m, a, b, s) -> a.reshape(1, 64, 32).squeeze(0));
        ops.put("repeat", (m, a, b, s) -> a.reshape(64, 1, 32).repeat(1, 3));
        ops.put("broadcast", (m, a, b, s) -> a.get(":1").broadcast(new Shape(64, 32)));
        ops.put("sum", (m, a, b, s) -> a.sum(new int[] {1}));
        ops.put("sumAll", (m, a, b, s) -> a.sum());
        ops.put("mean", (m, a, b, s) -> a.mean(new int[] {-1}, true));
        ops.put("max", (m, a, b, s) -> a.max(new int[] {1}));
        ops.put("min", (m, a, b, s) -> a.min());
        ops.put("sort", (m, a, b, s) -> a.sort(1));
        ops.put("argMax", (m, a, b, s) -> a.argMax(1).toType(DataType.FLOAT32, false));
        ops.put("norm", (m, a, b, s) -> a.norm(new int[] {1}));
        ops.put("normalize", (m, a, b, s) -> a.normalize(2, 1));
        ops.put("softmax", (m, a, b, s) -> a.softmax(-1));
        ops.put("logSoftmax", (m, a, b, s) -> a.logSoftmax(-1));
        ops.put("take", (m, a, b, s) -> a.take(m.create(new long[] {3, 0, 7, 3}, new Shape(4))));
        ops.put("gather", (m, a, b, s) -> a.logSoftmax(-1).gather(
                m.create(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(8, 1)).repeat(0, 8), 1));
        ops.put("getIndex", (m, a, b, s) -> a.get("..., 2:10").get(new NDIndex(":, 1")));
        ops.put("setIndex", (m, a, b, s) -> {
            NDArray c = a.duplicate();
            c.set(new NDIndex(":, 3:5"), b.get(":, 0:2"));
            return c;
        });
        ops.put("subi", (m, a, b, s) -> a.duplicate().subi(b));
        ops.put("toType64", (m, a, b, s) -> a.toType(DataType.FLOAT64, false).mul(3).toType(DataType.FLOAT32, false));
        ops.put("toType16", (m, a, b, s) -> a.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false));
        ops.put("isNaN+all", (m, a, b, s) -> a.isNaN().logicalNot().all().toType(DataType.FLOAT32, false));
        ops.put("createOwned", (m, a, b, s) -> {
            float[] d = a.toFloatArray();
            try (NDArray blob = m.create(d, a.getShape())) {
                return blob.duplicate().mul(2);
            }
        });
        ops.put("causalMask", (m, a, b, s) -> {
            int t = 16;
            float[] mask = new float[t * t];
            for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask[i * t + j] = Float.NEGATIVE_INFINITY;
            NDArray mk;
            try (NDArray blob = m.create(mask, new Shape(t, t))) {
                mk = blob.duplicate();
            }
            return a.get(":16, :16").add(mk).softmax(-1);
        });
        ops.put("backward", (m, a, b, s) -> {
            NDArray w = b.duplicate();
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = ai.djl.nn.Activation.sigmoid(a.matMul(w.transpose())).mul(a.matMul(w.transpose()));
                NDArray loss = h.logSoftmax(-1).gather(
                        m.create(new long[] {5}, new Shape(1, 1)).repeat(0, 64), 1).neg().mean();
                gc.backward(loss);
            }
            return w.getGradient().duplicate();
        });
        // RoPE's matrix form (prunekit.model.Rope): (1, T, n, D) · (T, D, D) broadcast, and (T, B·n, D) · (T, D, D)
        ops.put("matMulBroadcast", (m, a, b, s) -> a.reshape(1, 8, 16, 16).matMul(b.reshape(8, 16, 16)).reshape(64, 32));
        ops.put("bmmTransposed", (m, a, b, s) -> a.reshape(2, 8, 8, 16).transpose(1, 0, 2, 3).reshape(8, 16, 16)
                .matMul(b.reshape(8, 16, 16)).reshape(64, 32));
        // LlamaModel.zeroGradients on a GPU (prunekit.model.Gradients.release, its three lines repeated: OpCheck
        // compiles against DJL alone): the handle moved to a detached tensor that requires a gradient, the old one
        // freed; the next pass's gradient alone (not added to the last one's)
        ops.put("clearGradient", (m, a, b, s) -> {
            NDArray w = b.duplicate();
            w.setRequiresGradient(true);
            for (int pass = 0; pass < 2; pass++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(a.mul(w).sum());
                }
            }
            NDArray fresh = w.stopGradient();
            fresh.setRequiresGradient(true);
            w.intern(fresh);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(a.mul(w).mul(a).sum());
            }
            return w.getGradient().add(w);
        });
        // LlamaForward.project on a GPU: weights joined along the rows, one product, the product split by columns
        ops.put("joinedProduct", (m, a, b, s) -> {
            NDArray y = ai.djl.nn.core.Linear.linear(a, ai.djl.ndarray.NDArrays.concat(
                    new NDList(b.get(":16, :"), b.get("16:40, :"), b.get("40:, :")), 0)).get(0);
            NDList parts = y.split(new long[] {16, 40}, 1);
            return parts.get(2).mul(2).sum(new int[] {1}, true).add(parts.get(0).sum(new int[] {1}, true))
                    .add(parts.get(1).sum(new int[] {1}, true));
        });
        ops.put("cholesky-ish(matMul64)", (m, a, b, s) -> {
            NDArray x = s.toType(DataType.FLOAT64, false);
            return x.matMul(x.transpose()).toType(DataType.FLOAT32, false);
        });

        Device gpu = e.getGpuCount() > 0 ? Device.gpu() : null;
        // -Dopcheck.dump=F writes this run's CPU results; -Dopcheck.ref=F compares against such a file
        // (written here with DJL's own libtorch 2.7.1 CPU build, the known-good reference)
        String dump = System.getProperty("opcheck.dump");
        String refFile = System.getProperty("opcheck.ref");
        Map<String, double[]> results = new LinkedHashMap<>();
        Map<String, double[]> ref = Map.of();
        if (refFile != null) {
            try (var in = new java.io.ObjectInputStream(new java.io.FileInputStream(refFile))) {
                @SuppressWarnings("unchecked")
                Map<String, double[]> r = (Map<String, double[]>) in.readObject();
                ref = r;
            } catch (Exception ex) {
                throw new IllegalStateException("cannot read " + refFile, ex);
            }
        }
        int bad = 0;
        for (Map.Entry<String, Op> op : ops.entrySet()) {
            if (skip.contains(op.getKey())) {
                System.out.println("op " + op.getKey() + " SKIPPED");
                continue;
            }
            System.out.print("op " + op.getKey() + " ... ");
            System.out.flush();
            try {
                double[] cpu = run(op.getValue(), Device.cpu());
                results.put(op.getKey(), cpu);
                String vsRef = "";
                if (ref.containsKey(op.getKey())) {
                    double rc = rel(cpu, ref.get(op.getKey()));
                    if (!(rc < 1e-4)) bad++;
                    vsRef = String.format(" cpu_vs_ref=%.3e", rc);
                    if (gpu != null) {
                        double rg = rel(run(op.getValue(), gpu), ref.get(op.getKey()));
                        if (!(rg < 1e-4)) bad++;
                        vsRef += String.format(" gpu_vs_ref=%.3e", rg);
                    }
                }
                if (gpu == null) {
                    System.out.println("cpu only n=" + cpu.length + vsRef);
                    continue;
                }
                double[] g = run(op.getValue(), gpu);
                double num = 0, den = 0;
                for (int i = 0; i < cpu.length; i++) {
                    num += (g[i] - cpu[i]) * (g[i] - cpu[i]);
                    den += cpu[i] * cpu[i];
                }
                double rel = Math.sqrt(num / Math.max(den, 1e-300));
                boolean ok = cpu.length == g.length && rel < 1e-4;
                if (!ok) bad++;
                System.out.printf("%s gpu_vs_cpu=%.3e n=%d%s%n", ok ? "ok" : "MISMATCH", rel, cpu.length, vsRef);
            } catch (RuntimeException ex) {
                bad++;
                System.out.println("FAILED " + ex);
            }
        }
        if (dump != null) {
            try (var out = new java.io.ObjectOutputStream(new java.io.FileOutputStream(dump))) {
                out.writeObject(new java.util.HashMap<>(results));
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        System.out.println("opcheck_done failures=" + bad);
    }

    private static double rel(double[] x, double[] ref) {
        if (x.length != ref.length) return Double.POSITIVE_INFINITY;
        double num = 0, den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - ref[i]) * (x[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-300));
    }

    private static NDArray NDArrays_stack(NDArray a, NDArray b) {
        return new NDList(a, b).get(0).stack(b, 0);
    }

    private static double[] run(Op op, Device d) {
        try (NDManager m = NDManager.newBaseManager(d)) {
            java.util.Random r = new java.util.Random(42);
            float[] a = new float[64 * 32], b = new float[64 * 32], s = new float[8 * 8];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
                b[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < s.length; i++) s[i] = (float) r.nextGaussian();
            NDArray x = m.create(a, new Shape(64, 32)).duplicate();
            NDArray y = m.create(b, new Shape(64, 32)).duplicate();
            NDArray z = m.create(s, new Shape(8, 8)).duplicate();
            NDArray out = op.apply(m, x, y, z);
            if (!out.getDevice().equals(d)) throw new IllegalStateException("result on " + out.getDevice() + ", expected " + d);
            return out.toType(DataType.FLOAT64, false).toDevice(Device.cpu(), false).toDoubleArray();
        }
    }
}
