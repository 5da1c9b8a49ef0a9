#!/usr/bin/env python3
"""Check a Hugging Face model directory (e.g. one exported by prunekit) against a logits fixture.

  build/refvenv/bin/python environment/reference/check_hf_export.py DIR \
      [--fixture lib/src/test/resources/fixtures/smollm2] [--tol 1e-4] [--gen 20]

DIR must hold config.json, model.safetensors (or sharded safetensors) and tokenizer.json (or other
files AutoTokenizer understands). The model is loaded with AutoModelForCausalLM (float32, CPU,
eager attention), run on the fixture's prompt.json "ids" (exactly those ids, no BOS added), and
compared with the fixture's logits.f32 ([T, V] little-endian float32):

  max_abs_diff  = max |logits - reference|
  max_rel_diff  = max_abs_diff / max |reference|

It also checks that the tokenizer in DIR re-encodes the fixture text to the same ids
(add_special_tokens=False; a warning only), and prints a greedy generation of --gen tokens.
Exit status: 0 if max_rel_diff <= --tol, 1 if above, 2 on a shape mismatch.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--fixture", default="lib/src/test/resources/fixtures/smollm2")
    ap.add_argument("--tol", type=float, default=1e-4, help="max allowed relative diff (default 1e-4)")
    ap.add_argument("--gen", type=int, default=20, help="greedy tokens to generate (default 20)")
    args = ap.parse_args()

    with open(os.path.join(args.fixture, "prompt.json")) as f:
        prompt = json.load(f)
    ids = prompt["ids"]
    T, V = prompt["logits_shape"]
    ref = np.fromfile(os.path.join(args.fixture, "logits.f32"), dtype="<f4")
    if ref.size != T * V:
        print(f"fixture logits.f32 has {ref.size} floats, expected {T}*{V}", file=sys.stderr)
        return 2
    ref = ref.reshape(T, V)

    model = AutoModelForCausalLM.from_pretrained(args.dir, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    tok = None
    try:
        tok = AutoTokenizer.from_pretrained(args.dir)
    except Exception as e:  # noqa: BLE001
        print(f"WARNING: could not load tokenizer from {args.dir}: {e}")
    if tok is not None:
        enc = tok(prompt["text"], add_special_tokens=False)["input_ids"]
        print("tokenizer re-encodes fixture text to fixture ids:", enc == ids)
        if enc != ids:
            print("  WARNING: ids differ:", enc)

    with torch.no_grad():
        out = model(torch.tensor([ids])).logits[0].float().numpy()
    if out.shape != ref.shape:
        print(f"shape mismatch: model gives {list(out.shape)}, fixture {[T, V]}", file=sys.stderr)
        return 2
    diff = np.abs(out - ref)
    max_abs = float(diff.max())
    scale = float(np.abs(ref).max())
    max_rel = max_abs / scale
    pos, col = np.unravel_index(int(diff.argmax()), diff.shape)
    argmax_agree = float(np.mean(out.argmax(-1) == ref.argmax(-1)))
    print(f"T={T} V={V}  max_abs_diff={max_abs:.6e} (at pos {pos}, id {col})  "
          f"max|ref|={scale:.4f}  max_rel_diff={max_rel:.6e}  argmax agreement={argmax_agree:.3f}")
    print("logits[0,:5] model:", np.round(out[0, :5], 5).tolist(), " ref:", np.round(ref[0, :5], 5).tolist())

    if args.gen > 0:
        with torch.no_grad():
            g = model.generate(torch.tensor([ids]), max_new_tokens=args.gen, do_sample=False,
                               attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        new = g[0][len(ids):].tolist()
        print("greedy ids:", new)
        if tok is not None:
            print("greedy text:", repr(tok.decode(new)))

    ok = max_rel <= args.tol
    print("PASS" if ok else f"FAIL: max_rel_diff {max_rel:.3e} > tol {args.tol:.1e}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
