#!/usr/bin/env python3
"""Hugging Face transformers reference for SmolLM2-135M-Instruct (Q4_1 GGUF), independent of prunekit.

Loads data/cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf with
AutoModelForCausalLM/AutoTokenizer.from_pretrained(dir, gguf_file=name) (transformers dequantises
every tensor to float32 and un-permutes attn_q/attn_k back to the HF layout), runs it on CPU in
float32 and writes fixtures to lib/src/test/resources/fixtures/smollm2/:

  prompt.json           text, ids (add_special_tokens=False, no BOS), logits_shape, versions,
                        GGUF metadata (scalars), argmax per position
  logits.f32            T*V little-endian float32, row-major [T, V]
  tokenizer_cases.json  varied strings -> ids (add_special_tokens=False), bos/eos ids, vocab size
  greedy.json           20 greedy tokens continuing the prompt ids (model.generate, do_sample=False)
  weights_spot.json     layer-0 q_proj rows 0..2 (HF layout AND raw GGUF row order),
                        token_embd row for id 1, and layer-0 q/k rows Q_ROWS/K_ROWS (first 64 columns,
                        both orders), to check dequantisation + the q/k un-permutation

Usage: build/refvenv/bin/python environment/reference/smollm2_logits.py [--save-hf build/smollm2-hf]
  --save-hf DIR additionally save_pretrained()s the float32 model + tokenizer (for check_hf_export.py).
"""
import argparse
import json
import os

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GGUF_DIR = os.path.join(ROOT, "data", "cache", "models", "smollm2")
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
OUT_DIR = os.path.join(ROOT, "lib", "src", "test", "resources", "fixtures", "smollm2")
# weights_spot.json: layer-0 q/k rows either side of the half-head (32) and head (64) boundaries
Q_ROWS = [0, 1, 2, 31, 32, 33, 63, 64, 65, 96, 127, 128, 575]
K_ROWS = [0, 1, 2, 31, 32, 33, 63, 64, 65, 96, 191]
SPOT_COLS = 64
PROMPT = "The capital of France is Paris. The quick brown fox jumps over the lazy dog because"

TOKENIZER_CASES = [
    PROMPT,
    "Hello, world!",
    " leading space and  double  spaces",
    "Numbers: 12345, 3.14159 and 2024-06-01.",
    "café naïve — “quotes” ‘single’ …",
    "line one\nline two\n\n\tindented",
    "emoji 🙂 and CJK 日本語 and Ελληνικά",
    "<|im_start|>user\nHi<|im_end|>",
    "don't won't it's I'm we'll",
]


def gguf_metadata(path):
    import gguf
    r = gguf.GGUFReader(path)
    meta = {}
    for k, f in r.fields.items():
        if k in ("tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.token_type",
                 "tokenizer.ggml.scores"):
            meta[k] = f"<array of {len(f.data)}>"
            continue
        try:
            v = f.contents()
        except Exception:  # noqa: BLE001
            continue
        if isinstance(v, float):
            v = float(np.float32(v))
        meta[k] = v
    types = {}
    for t in r.tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    meta["_tensor_types"] = types
    meta["_token_embd_type"] = next(t.tensor_type.name for t in r.tensors if t.name == "token_embd.weight")
    meta["_has_output_weight"] = any(t.name == "output.weight" for t in r.tensors)
    return r, meta


def gguf_dequant(reader, name):
    import gguf
    t = next(t for t in reader.tensors if t.name == name)
    a = gguf.quants.dequantize(t.data, t.tensor_type)
    return np.asarray(a, dtype=np.float32).reshape(list(reversed(t.shape.tolist())))  # numpy [rows, cols]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--save-hf", default=None, help="also save_pretrained the loaded model to this dir")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(OUT_DIR, exist_ok=True)

    tok = AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_NAME)
    model = AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF_NAME, dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    cfg = model.config
    print(type(tok).__name__, "bos", tok.bos_token, tok.bos_token_id, "eos", tok.eos_token, tok.eos_token_id,
          "len", len(tok))
    print("config: rope_theta", getattr(cfg, "rope_theta", None), getattr(cfg, "rope_parameters", None),
          "rms_norm_eps", cfg.rms_norm_eps, "tie", cfg.tie_word_embeddings,
          "max_pos", cfg.max_position_embeddings, "vocab", cfg.vocab_size)

    ids = tok(PROMPT, add_special_tokens=False)["input_ids"]
    ids_special = tok(PROMPT)["input_ids"]
    print("ids", len(ids), ids)
    print("ids with add_special_tokens=True adds BOS?", ids_special[:3], ids_special == ids)
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].float().numpy()
    T, V = logits.shape
    print("logits shape", logits.shape, "pos0[:8]", logits[0, :8].tolist())
    np.ascontiguousarray(logits, dtype="<f4").tofile(os.path.join(OUT_DIR, "logits.f32"))

    reader, meta = gguf_metadata(os.path.join(GGUF_DIR, GGUF_NAME))
    rope_theta = getattr(cfg, "rope_theta", None)
    if rope_theta is None and getattr(cfg, "rope_parameters", None):
        rope_theta = cfg.rope_parameters.get("rope_theta")
    with open(os.path.join(OUT_DIR, "prompt.json"), "w") as f:
        json.dump({
            "text": PROMPT,
            "ids": ids,
            "bos_prepended": False,
            "ids_with_add_special_tokens_true": ids_special,
            "logits_shape": [T, V],
            "logits_file": "logits.f32 (little-endian float32, row-major [T, V])",
            "argmax_per_position": logits.argmax(-1).tolist(),
            "model": f"{GGUF_NAME} via transformers gguf loader (dequantised to float32, CPU, eager attention)",
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "gguf": __import__("gguf").__version__ if hasattr(__import__("gguf"), "__version__") else "0.19.0",
            "hf_config": {
                "rope_theta": rope_theta, "rms_norm_eps": cfg.rms_norm_eps,
                "tie_word_embeddings": cfg.tie_word_embeddings,
                "max_position_embeddings": cfg.max_position_embeddings,
                "hidden_size": cfg.hidden_size, "intermediate_size": cfg.intermediate_size,
                "num_hidden_layers": cfg.num_hidden_layers, "num_attention_heads": cfg.num_attention_heads,
                "num_key_value_heads": cfg.num_key_value_heads, "vocab_size": cfg.vocab_size,
                "head_dim": getattr(cfg, "head_dim", cfg.hidden_size // cfg.num_attention_heads),
            },
            "gguf_metadata": meta,
        }, f, indent=1, ensure_ascii=False)

    # ---- tokenizer cases
    cases = []
    for t in TOKENIZER_CASES:
        e = tok(t, add_special_tokens=False)["input_ids"]
        cases.append({"text": t, "ids": e, "tokens": tok.convert_ids_to_tokens(e),
                      "roundtrip": tok.decode(e) == t})
        print("case", repr(t), e)
    with open(os.path.join(OUT_DIR, "tokenizer_cases.json"), "w") as f:
        json.dump({
            "convention": "HF AutoTokenizer built from the GGUF (byte-level BPE, tokenizer.ggml.pre='smollm'), "
                          "tok(text, add_special_tokens=False); 'tokens' are byte-level BPE strings (Ġ = space, "
                          "Ċ = newline); special tokens written literally in the text ARE matched as specials.",
            "tokenizer_class": type(tok).__name__,
            "bos_id": tok.bos_token_id, "bos_token": tok.bos_token,
            "eos_id": tok.eos_token_id, "eos_token": tok.eos_token,
            "unk_id": tok.unk_token_id, "pad_id": tok.pad_token_id,
            "vocab_size": len(tok),
            "add_special_tokens_true_prepends_bos": ids_special != ids,
            "cases": cases,
        }, f, indent=1, ensure_ascii=False)

    # ---- weight spot checks
    sd = model.state_dict()
    q_hf = sd["model.layers.0.self_attn.q_proj.weight"].numpy()
    k_hf = sd["model.layers.0.self_attn.k_proj.weight"].numpy()
    emb = sd["model.embed_tokens.weight"].numpy()
    q_gguf = gguf_dequant(reader, "blk.0.attn_q.weight")
    k_gguf = gguf_dequant(reader, "blk.0.attn_k.weight")
    emb_gguf = gguf_dequant(reader, "token_embd.weight")

    def permute(w, n_head):  # llama.cpp convert_hf_to_gguf: HF (half-split) -> GGUF (interleaved)
        return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

    q_perm_diff = float(np.abs(permute(q_hf, cfg.num_attention_heads) - q_gguf).max())
    k_perm_diff = float(np.abs(permute(k_hf, cfg.num_key_value_heads) - k_gguf).max())
    q_plain_diff = float(np.abs(q_hf - q_gguf).max())
    emb_diff = float(np.abs(emb - emb_gguf).max())
    print("permute(q_hf)==q_gguf maxdiff", q_perm_diff, "k", k_perm_diff, "q_hf vs q_gguf unpermuted",
          q_plain_diff, "embd", emb_diff)
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    with open(os.path.join(OUT_DIR, "weights_spot.json"), "w") as f:
        json.dump({
            "doc": ("Spot checks of GGUF dequantisation and q/k layout. 'hf' tensors are the transformers "
                    "state_dict (PyTorch [out, in] row-major). transformers UN-PERMUTES attn_q/attn_k on load: "
                    "GGUF row order within each head is interleaved (llama.cpp convert permutes HF rows so that "
                    "adjacent-pair RoPE works). Mapping: hf = gguf.reshape(n_head, head_dim/2, 2, in)"
                    ".swapaxes(1, 2).reshape(out, in); i.e. gguf row h*hd + 2*i + j == hf row h*hd + j*hd/2 + i. "
                    "So with GGUF-order q/k use RoPE on adjacent pairs (x[2i], x[2i+1]); with HF-order use "
                    "rotate_half (x[i], x[i+hd/2]). Both give identical logits."),
            "q_proj_layer0_hf_rows_0_2": q_hf[:3].tolist(),
            "attn_q_layer0_gguf_rows_0_2": q_gguf[:3].tolist(),
            "q_proj_shape": list(q_hf.shape), "k_proj_shape": list(k_hf.shape), "head_dim": head_dim,
            "token_embd_row_id1": emb[1].tolist(),
            # rows across the half-head and head boundaries, so that a wrong pairing or a wrong head
            # count (e.g. q's 9 heads used for k's 3) moves some of them; first SPOT_COLS columns
            "spot_rows_doc": (f"layer-0 rows listed in q_rows / k_rows, columns 0..{SPOT_COLS - 1}; "
                              "*_hf in the transformers state_dict's order, *_gguf in the GGUF file's order "
                              "(gguf-py dequantised), row i of each list is the listed row i"),
            "q_rows": Q_ROWS, "k_rows": K_ROWS,
            "q_proj_layer0_hf_spot": q_hf[Q_ROWS, :SPOT_COLS].tolist(),
            "attn_q_layer0_gguf_spot": q_gguf[Q_ROWS, :SPOT_COLS].tolist(),
            "k_proj_layer0_hf_spot": k_hf[K_ROWS, :SPOT_COLS].tolist(),
            "attn_k_layer0_gguf_spot": k_gguf[K_ROWS, :SPOT_COLS].tolist(),
            "token_embd_type": meta["_token_embd_type"],
            "q_proj_type": "Q4_1",
            "checks": {
                "max_abs(permute(hf_q) - gguf_q)": q_perm_diff,
                "max_abs(permute(hf_k) - gguf_k)": k_perm_diff,
                "max_abs(hf_q - gguf_q) (no permute)": q_plain_diff,
                "max_abs(hf_embed - gguf_token_embd)": emb_diff,
                "lm_head_is_embed": bool(np.array_equal(sd.get("lm_head.weight", torch.tensor(emb)).numpy(), emb)),
            },
            "dequantiser": "gguf-py gguf.quants.dequantize (the same code path transformers uses)",
        }, f, indent=1)

    # ---- greedy sanity
    with torch.no_grad():
        g = model.generate(torch.tensor([ids]), max_new_tokens=20, do_sample=False)
    new_ids = g[0][len(ids):].tolist()
    print("greedy:", new_ids, repr(tok.decode(new_ids)))
    with open(os.path.join(OUT_DIR, "greedy.json"), "w") as f:
        json.dump({"prompt_ids": ids, "new_ids": new_ids, "text": tok.decode(new_ids),
                   "sampling": "model.generate(do_sample=False, max_new_tokens=20), float32 CPU, KV cache; "
                               "no BOS, no chat template (plain continuation)"}, f, indent=1, ensure_ascii=False)

    if args.save_hf:
        # A GGUF-loaded model refuses save_pretrained ("quantized with gguf and is not serializable"),
        # so rebuild a plain float32 model from the config (minus quantization_config) and copy the weights.
        import copy
        plain_cfg = copy.deepcopy(model.config)
        if hasattr(plain_cfg, "quantization_config"):
            del plain_cfg.quantization_config
        plain = AutoModelForCausalLM.from_config(plain_cfg, dtype=torch.float32)
        missing, unexpected = plain.load_state_dict(model.state_dict(), strict=False)
        print("save-hf: missing", missing, "unexpected", unexpected)
        plain.tie_weights()
        plain.save_pretrained(args.save_hf)
        tok.save_pretrained(args.save_hf)
        print("saved HF model to", args.save_hf)


if __name__ == "__main__":
    main()
