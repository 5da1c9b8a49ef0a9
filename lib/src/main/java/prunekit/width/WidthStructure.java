package prunekit.width;

import java.util.List;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaConfig;

/**
 * The two structures whose units width pruning removes from a decoder layer, each unit a group of
 * coupled weights that must go together (LLM-Pruner's "group", Ma, Fang, Wang, arXiv 2305.11627,
 * §3.1): removing a unit's output rows leaves its input columns downstream with nothing to read.
 */
public enum WidthStructure {

    /**
     * The attention's key/value groups: under grouped-query attention a key/value head serves
     * {@code groupSize} query heads, so the unit is the k and v rows of that head, the q rows of its
     * query heads and the o columns those heads feed (SmolLM2-135M: 3 groups of 3 query heads).
     */
    KV_GROUPS {
        @Override
        public int units(LlamaConfig c) {
            return c.kvHeads();
        }

        @Override
        public long parametersPerUnit(LlamaConfig c) {
            long queries = (long) c.groupSize() * c.headDim() * c.hidden();     // q rows, and as many o columns
            long keys = (long) c.headDim() * c.hidden();                        // k rows, and as many v rows
            return 2 * queries + 2 * keys;
        }

        @Override
        public List<UnitSlice> slices(LayerWeights w, LayerWeights g) {
            return List.of(new UnitSlice(w.q(), g == null ? null : g.q(), 0),
                    new UnitSlice(w.k(), g == null ? null : g.k(), 0),
                    new UnitSlice(w.v(), g == null ? null : g.v(), 0),
                    new UnitSlice(w.o(), g == null ? null : g.o(), 1));
        }
    },

    /** The MLP's channels: row i of gate and up, column i of down (SmolLM2-135M: 1536). */
    CHANNELS {
        @Override
        public int units(LlamaConfig c) {
            return c.intermediate();
        }

        @Override
        public long parametersPerUnit(LlamaConfig c) {
            return 3L * c.hidden();
        }

        @Override
        public List<UnitSlice> slices(LayerWeights w, LayerWeights g) {
            return List.of(new UnitSlice(w.gate(), g == null ? null : g.gate(), 0),
                    new UnitSlice(w.up(), g == null ? null : g.up(), 0),
                    new UnitSlice(w.down(), g == null ? null : g.down(), 1));
        }
    };

    /** How many units each layer of a model of this config has. */
    public abstract int units(LlamaConfig c);

    /** Parameters one unit holds in one layer. */
    public abstract long parametersPerUnit(LlamaConfig c);

    /**
     * The matrix slices of a layer's units.
     *
     * @param w the layer's weights
     * @param g the same layer's gradients, or null (then every slice's gradient is null)
     */
    public abstract List<UnitSlice> slices(LayerWeights w, LayerWeights g);
}
