package prunekit.width;

import java.util.Locale;
import prunekit.model.LlamaConfig;

/**
 * How much width goes: the same number of key/value groups and MLP channels from every layer.
 * Uniform because a Hugging Face LLaMA config.json holds one {@code num_attention_heads},
 * {@code num_key_value_heads} and {@code intermediate_size} for all layers: a model pruned unevenly
 * would not load in transformers (LLM-Pruner, which prunes layers 4..29 of 32 only, pickles the
 * whole module instead).
 *
 * @param kvGroupsRemoved key/value groups removed from every layer, each with its query heads;
 *                        0 ≤ it < kvHeads (a layer keeps at least one group)
 * @param channelsRemoved MLP channels removed from every layer; 0 ≤ it < intermediate
 */
public record WidthPlan(int kvGroupsRemoved, int channelsRemoved) {

    public WidthPlan {
        if (kvGroupsRemoved < 0 || channelsRemoved < 0) {
            throw new IllegalArgumentException("width plan: removed counts must be >= 0, got " + kvGroupsRemoved
                    + " key/value groups and " + channelsRemoved + " channels");
        }
    }

    /**
     * The plan that removes the fraction {@code ratio} of the model's parameters, embedding and head
     * included (how LLM-Pruner states its ratios). Attention and MLP lose about the same fraction of
     * their units, as LLM-Pruner's one ratio for both: the key/value groups, which are coarse, to
     * the nearest whole group that does not overshoot, and the MLP channels make up the rest to the
     * nearest channel.
     *
     * @param ratio in (0, 1)
     */
    public static WidthPlan forRatio(LlamaConfig c, double ratio) {
        double target = target(c, ratio);
        long groupParams = (long) c.layers() * WidthStructure.KV_GROUPS.parametersPerUnit(c);
        long prunable = groupParams * c.kvHeads()
                + (long) c.layers() * WidthStructure.CHANNELS.parametersPerUnit(c) * c.intermediate();
        long groups = Math.round(target / prunable * c.kvHeads());
        groups = Math.min(groups, Math.min((long) (target / groupParams), c.kvHeads() - 1));
        return forRatio(c, ratio, (int) groups);
    }

    /**
     * The plan that removes {@code kvGroupsRemoved} key/value groups per layer and as many MLP
     * channels as make the fraction {@code ratio} of the model's parameters, to the nearest channel.
     */
    public static WidthPlan forRatio(LlamaConfig c, double ratio, int kvGroupsRemoved) {
        double target = target(c, ratio);
        WidthPlan heads = new WidthPlan(kvGroupsRemoved, 0);
        heads.check(c);
        double rest = target - heads.removedParameters(c);
        if (rest < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "removing %d of %d key/value groups per layer"
                    + " alone removes %.1f %% of the parameters, more than the width ratio %s: remove fewer groups",
                    kvGroupsRemoved, c.kvHeads(), 100.0 * heads.removedParameters(c) / c.parameterCount(), ratio));
        }
        long channels = Math.round(rest / ((double) c.layers() * WidthStructure.CHANNELS.parametersPerUnit(c)));
        if (channels >= c.intermediate()) {
            throw new IllegalArgumentException("width ratio " + ratio + " with " + kvGroupsRemoved + " key/value groups"
                    + " removed would take all " + c.intermediate() + " MLP channels (" + channels + "): lower the ratio"
                    + " or remove more groups");
        }
        WidthPlan plan = new WidthPlan(kvGroupsRemoved, (int) channels);
        plan.check(c);
        return plan;
    }

    private static double target(LlamaConfig c, double ratio) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("width ratio " + ratio + " is outside (0, 1): the fraction of the"
                    + " model's parameters to remove, e.g. 0.2");
        }
        if (c.layers() == 0) {
            throw new IllegalArgumentException(c.name() + " has no decoder layers to narrow");
        }
        return ratio * c.parameterCount();
    }

    /** Fails, naming the count, unless every layer of {@code c} keeps a group and a channel. */
    public void check(LlamaConfig c) {
        if (kvGroupsRemoved >= c.kvHeads()) {
            throw new IllegalArgumentException("removing " + kvGroupsRemoved + " key/value groups per layer leaves no group"
                    + " (" + c.name() + " has " + c.kvHeads() + " key/value heads): at most " + (c.kvHeads() - 1));
        }
        if (channelsRemoved >= c.intermediate()) {
            throw new IllegalArgumentException("removing " + channelsRemoved + " MLP channels per layer leaves none ("
                    + c.name() + " has " + c.intermediate() + "): at most " + (c.intermediate() - 1));
        }
    }

    /** Parameters the plan removes from a model of config {@code c}. */
    public long removedParameters(LlamaConfig c) {
        return c.layers() * (kvGroupsRemoved * WidthStructure.KV_GROUPS.parametersPerUnit(c)
                + channelsRemoved * WidthStructure.CHANNELS.parametersPerUnit(c));
    }

    /** The config after the plan. */
    public LlamaConfig apply(LlamaConfig c) {
        check(c);
        int groups = c.kvHeads() - kvGroupsRemoved;
        return c.withWidth(groups * c.groupSize(), groups, c.intermediate() - channelsRemoved);
    }

    /** The units removed per layer from a structure. */
    public int removed(WidthStructure s) {
        return s == WidthStructure.KV_GROUPS ? kvGroupsRemoved : channelsRemoved;
    }

    /** "1 of 3 key/value groups, 348 of 1536 channels per layer". */
    public String describe(LlamaConfig c) {
        return kvGroupsRemoved + " of " + c.kvHeads() + " key/value groups, " + channelsRemoved + " of "
                + c.intermediate() + " MLP channels per layer";
    }
}
