package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;

/**
 * The A and B matrices of {@link LoraConfig} for every adapted module of a model, named
 * {@code layers.{l}.{module}.lora_A} / {@code .lora_B}. They live in their own manager on the
 * model's device; the model's own weights are never touched until {@link #mergeInto}.
 *
 * <p>In a forward pass they are a {@link prunekit.model.LinearAdapter}: module W of layer l gives
 * {@code x Wᵀ + (α/r) · dropout(x) Aᵀ Bᵀ}, the low-rank path (as peft computes it), so a backward pass
 * differentiates A and B through two thin products and never forms W's gradient.
 */
public final class LoraAdapters implements TrainableAdapter {

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>(); // name -> A or B, in layer and module order
    private boolean training;                                          // dropout on (Recovery sets it)
    private NDArray scale;                                             // α / r, an owned 0-d tensor autograd may keep
    private NDArray keepScale;                                         // 1 / (1 − dropout), the same

    private LoraAdapters(LoraConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
    }

    /** Fresh adapters for {@code model}: A uniform in ±1/√in (seeded per module), B zero. */
    public static LoraAdapters init(LlamaModel model, LoraConfig config) {
        LoraAdapters a = new LoraAdapters(config, model.manager().newSubManager());
        for (int l = 0; l < model.config().layers(); l++) {
            Map<String, NDArray> linears = model.layer(l).linears();
            for (String module : config.modules()) {
                Shape w = linears.get(module).getShape();                       // (out, in)
                int out = Math.toIntExact(w.get(0));
                int in = Math.toIntExact(w.get(1));
                String name = "layers." + l + "." + module;
                SplittableRandom rng = new SplittableRandom(config.seed() * 1_000_003L + name.hashCode());
                float[] values = new float[config.rank() * in];
                double bound = 1 / Math.sqrt(in);
                for (int i = 0; i < values.length; i++) values[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
                a.put(name + ".lora_A", OwnedArrays.of(a.manager, values, new Shape(config.rank(), in)));   // (r, in)
                a.put(name + ".lora_B", a.manager.zeros(new Shape(out, config.rank()), DataType.FLOAT32)); // (out, r)
            }
        }
        NDArray any = a.params.values().iterator().next();
        a.scale = OwnedArrays.scalar(any, config.scaling());
        a.keepScale = OwnedArrays.scalar(any, 1 / (1 - config.dropout()));
        return a;
    }

    private void put(String name, NDArray a) {
        a.setRequiresGradient(true);
        params.put(name, a);
    }

    public LoraConfig config() {
        return config;
    }

    /** The trainable matrices by name. */
    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** Dropout applies while training (and {@link LoraConfig#dropout()} &gt; 0). */
    @Override
    public void setTraining(boolean on) {
        training = on;
    }

    /**
     * (α/r) · dropout(x) Aᵀ Bᵀ for an adapted module, null for the others: (B, T, out). The factor α/r
     * multiplies the r channels between the two products, not the out channels after them (the same
     * product; exactly the same numbers when α/r is a power of two, as at the defaults).
     */
    @Override
    public NDArray delta(int layer, String module, NDArray x) {
        NDArray a = params.get("layers." + layer + "." + module + ".lora_A");
        if (a == null) return null;
        NDArray b = params.get("layers." + layer + "." + module + ".lora_B");
        NDArray in = x;
        if (training && config.dropout() > 0) {                              // inverted dropout, the engine's seeded RNG
            NDArray keep = x.getManager().randomUniform(0, 1, x.getShape()).gte(config.dropout());
            in = x.mul(keep.toType(x.getDataType(), false)).muli(keepScale);
            keep.close();
        }
        NDArray low = Linear.linear(in, a).get(0);                           // (B, T, r)
        if (in != x) in.close();
        NDArray scaled = low.mul(scale);                                     // (α/r) x Aᵀ: (B, T, r)
        low.close();
        NDArray delta = Linear.linear(scaled, b).get(0);                     // (B, T, out)
        scaled.close();
        return delta;
    }

    /** Rank, α, dropout, modules and seed, as a run's settings name them. */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "rank=%d;alpha=%s;dropout=%s;modules=%s;lora_seed=%d", config.rank(),
                config.alpha(), config.dropout(), String.join(",", config.modules()), config.seed());
    }

    /**
     * Layer {@code l}'s weights as the adapted model sees them: W + (α / r) B A for every adapted
     * module, the base tensor itself for the others. The sums are made in {@code step} and carry the
     * gradient back to A and B.
     */
    public LayerWeights apply(int l, LayerWeights base, NDManager step) {
        Map<String, NDArray> all = base.all();
        for (String module : config.modules()) {
            NDArray w = all.get(module);
            NDArray delta = params.get("layers." + l + "." + module + ".lora_B")
                    .matMul(params.get("layers." + l + "." + module + ".lora_A"));      // (out, in)
            NDArray sum = w.add(delta.muli(scale));
            sum.attach(step);
            delta.attach(step);
            all.put(module, sum);
        }
        return LayerWeights.of(all);
    }

    /** Folds the adapters into the model's weights, W ← W + (α / r) B A: the model is then a plain LLaMA. */
    @Override
    public void mergeInto(LlamaModel model) {
        for (int l = 0; l < model.config().layers(); l++) {
            try (NDManager tmp = manager.newSubManager()) {
                LayerWeights merged = apply(l, model.layer(l), tmp);
                for (String module : config.modules()) model.setTensor(l, module, merged.linears().get(module));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
