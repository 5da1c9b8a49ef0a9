"""A LLaMA checkpoint of a real model's shape with random weights, for memory and speed benchmarks.

    python synthetic_llama.py --out DIR --tokenizer TOKENIZER.json [--shape llama2-7b] [--seed 0]

Writes a Hugging Face directory as `save_pretrained` does for a large model: config.json,
bfloat16 safetensors shards of about --shard-gb each with model.safetensors.index.json, and the
given tokenizer.json (its vocabulary must have the shape's vocab_size entries: Llama 2's 32,000
for llama2-7b, which stories15M's exported tokenizer has). Weights are N(0, 0.02²), norm gains 1:
the numbers mean nothing; the shapes, the dtype, the file layout and the size are those of the
real model (Llama-2-7B: 6.74 B parameters, 13.5 GB in bfloat16, 27 GB in float32), which is what a
benchmark of loading, streaming and pruning needs. No model hub is reachable here, so no real 7B
checkpoint is; this is the honest substitute, labelled as such in every record.

Runs in the PyTorch benchmark virtualenv (environment/bench-vs-pytorch.sh --setup-only makes it).
"""
import argparse
import json
import os
import shutil
import sys

SHAPES = {
    # Llama-2-7B (meta-llama/Llama-2-7b-hf config.json)
    "llama2-7b": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=32, rms_norm_eps=1e-5, rope_theta=10000.0,
                      max_position_embeddings=4096, tie_word_embeddings=False),
    # a small shape for a quick check of the script
    "tiny": dict(vocab_size=32000, hidden_size=64, intermediate_size=172, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=10000.0,
                 max_position_embeddings=512, tie_word_embeddings=False),
}


def tensors_in_order(c):
    """(name, shape) of every tensor, in the order Hugging Face's LlamaForCausalLM lists them."""
    h, i, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    d = h // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * d, c["num_key_value_heads"] * d
    yield "model.embed_tokens.weight", (v, h)
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        yield p + "input_layernorm.weight", (h,)
        yield p + "self_attn.q_proj.weight", (q, h)
        yield p + "self_attn.k_proj.weight", (kv, h)
        yield p + "self_attn.v_proj.weight", (kv, h)
        yield p + "self_attn.o_proj.weight", (h, q)
        yield p + "post_attention_layernorm.weight", (h,)
        yield p + "mlp.gate_proj.weight", (i, h)
        yield p + "mlp.up_proj.weight", (i, h)
        yield p + "mlp.down_proj.weight", (h, i)
    yield "model.norm.weight", (h,)
    if not c["tie_word_embeddings"]:
        yield "lm_head.weight", (v, h)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--tokenizer", required=True, help="a tokenizer.json with the shape's vocabulary size")
    p.add_argument("--shape", default="llama2-7b", choices=sorted(SHAPES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shard-gb", type=float, default=2.0)
    a = p.parse_args()
    with open(a.tokenizer) as f:
        vocab = len(json.load(f)["model"]["vocab"])
    c = SHAPES[a.shape]
    if vocab != c["vocab_size"]:
        sys.exit(f"synthetic_llama: {a.tokenizer} has {vocab} tokens, shape {a.shape} needs {c['vocab_size']}")

    import torch                                    # after the checks: importing takes seconds
    from safetensors.torch import save_file

    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    names = list(tensors_in_order(c))
    total_bytes = sum(2 * torch.Size(s).numel() for _, s in names)
    shards, current, size = [], [], 0
    for name, shape in names:                       # group into shards of about --shard-gb
        nbytes = 2 * torch.Size(shape).numel()
        if current and size + nbytes > a.shard_gb * 1e9:
            shards.append(current)
            current, size = [], 0
        current.append((name, shape))
        size += nbytes
    shards.append(current)
    weight_map = {}
    for k, shard in enumerate(shards, 1):
        file = f"model-{k:05d}-of-{len(shards):05d}.safetensors"
        tensors = {}
        for name, shape in shard:
            if name.endswith("norm.weight"):
                tensors[name] = torch.ones(shape, dtype=torch.bfloat16)
            else:
                tensors[name] = (torch.randn(shape, dtype=torch.float32) * 0.02).to(torch.bfloat16)
            weight_map[name] = file
        save_file(tensors, os.path.join(a.out, file), metadata={"format": "pt"})
        print(f"synthetic_llama: {file} ({len(shard)} tensors)", flush=True)
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total_bytes}, "weight_map": weight_map}, f, indent=2)
    config = dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_act="silu",
                  attention_bias=False, mlp_bias=False, torch_dtype="bfloat16", bos_token_id=1, eos_token_id=2,
                  prunekit_synthetic=f"random N(0, 0.02^2) weights in the shape of {a.shape}, seed {a.seed}", **c)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copy(a.tokenizer, os.path.join(a.out, "tokenizer.json"))
    params = sum(torch.Size(s).numel() for _, s in names)
    print(f"synthetic_llama: {a.out}: {params / 1e9:.2f} B parameters, {total_bytes / 1e9:.1f} GB bfloat16 "
          f"in {len(shards)} shards")


if __name__ == "__main__":
    main()
