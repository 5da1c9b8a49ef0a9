#!/usr/bin/env python3
"""NumPy-only reference for the llama2.c stories15M checkpoint (independent of prunekit's Java code).

Reads data/cache/models/stories15m/{model.bin,tokenizer.bin} and writes fixtures to
lib/src/test/resources/fixtures/stories15m/:

  prompt.json           text, ids (BOS=1 + run.c encode), logits_shape [T, V], conventions
  logits.f32            T*V little-endian float32, row-major (position-major)
  tokenizer_cases.json  strings and their run.c-encode ids WITHOUT BOS (dummy prefix included)
  greedy.json           40 greedy (argmax) tokens after BOS + encode("Once upon a time"),
                        decoded per run.c decode()

Forward pass follows llama2.c run.c exactly:
  * rmsnorm(x, w) = w * x / sqrt(mean(x^2) + 1e-5)
  * RoPE on adjacent pairs (x[2i], x[2i+1]) inside each head, angle = pos * 10000^(-2i/head_size),
    applied to q (all heads) and k (kv heads)
  * causal multi-head attention, scores / sqrt(head_size), kv head = h // (n_heads / n_kv_heads)
  * FFN: w2(silu(w1 x) * (w3 x)), residual connections, final rmsnorm, classifier
    = token_embedding_table when the header's vocab_size is positive (shared weights)
The arithmetic is done in float64 (weights are float32 in the file) so the fixture is the
"exact" answer; the script also reports the max |float32 - float64| difference.

Tokenizer (run.c encode): optional BOS=1, then a dummy-prefix token for " " when the text is
non-empty, then each UTF-8 character (up to 4 bytes) is looked up as a whole piece, falling back
to one token per byte with id = byte + 3; then repeatedly merge the adjacent pair whose
concatenation is in the vocab with the highest score (first such pair on ties, strict >),
until no pair merges.

GOTCHA (this tokenizer.bin): it is the *old* llama2.c export, where the 256 byte-fallback pieces
(ids 3..258, score 0.0) are stored as chr(b).encode('utf-8') rather than "<0xXX>" strings. So 204
strings occur twice (e.g. " " is id 35 (byte 0x20) and id 29871; "," is 47 and 29892). run.c's
bsearch over a qsort-ed vocab makes the choice unspecified; we resolve a duplicate lookup to the
HIGHEST id, i.e. the regular sentencepiece piece, which is what sentencepiece itself does (byte
fallback is only used for characters that have no piece). Byte-fallback ids are only emitted
through the explicit `byte + 3` rule.
Decode (run.c decode): after BOS (id 1) a leading ' ' of the piece is stripped; "<0xXX>" pieces
and byte-fallback ids 3..258 decode to the raw byte (id - 3); bytes are joined and UTF-8 decoded.
"""
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL_DIR = os.path.join(ROOT, "data", "cache", "models", "stories15m")
OUT_DIR = os.path.join(ROOT, "lib", "src", "test", "resources", "fixtures", "stories15m")

PROMPT = "Once upon a time, there was a little girl"
GREEDY_PROMPT = "Once upon a time"
GREEDY_STEPS = 40
BOS, EOS = 1, 2


# ----------------------------------------------------------------------------- checkpoint
def load_model(path):
    with open(path, "rb") as f:
        raw = f.read()
    dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len = struct.unpack_from("<7i", raw, 0)
    shared = vocab > 0
    vocab = abs(vocab)
    head = dim // n_heads
    kv_dim = n_kv_heads * head
    data = np.frombuffer(raw, dtype="<f4", offset=28)
    off = 0

    def take(*shape):
        nonlocal off
        n = int(np.prod(shape))
        a = data[off:off + n].reshape(shape)
        off += n
        return a

    w = {}
    w["tok"] = take(vocab, dim)
    w["rms_att"] = take(n_layers, dim)
    w["wq"] = take(n_layers, dim, dim)          # [out, in] as run.c matmul: xout[i] = sum_j W[i, j] x[j]
    w["wk"] = take(n_layers, kv_dim, dim)
    w["wv"] = take(n_layers, kv_dim, dim)
    w["wo"] = take(n_layers, dim, dim)
    w["rms_ffn"] = take(n_layers, dim)
    w["w1"] = take(n_layers, hidden, dim)
    w["w2"] = take(n_layers, dim, hidden)
    w["w3"] = take(n_layers, hidden, dim)
    w["rms_final"] = take(dim)
    take(seq_len * head // 2)  # freq_cis_real (unused)
    take(seq_len * head // 2)  # freq_cis_imag (unused)
    w["cls"] = w["tok"] if shared else take(vocab, dim)
    if off != data.size:
        raise SystemExit(f"unexpected trailing floats: consumed {off}, file has {data.size}")
    cfg = dict(dim=dim, hidden_dim=hidden, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads,
               vocab_size=vocab, seq_len=seq_len, shared_classifier=shared, head_size=head)
    return cfg, w


def rmsnorm(x, weight, eps=1e-5):
    return weight * (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps))


def rope(x, head_size):
    """x: [T, n_heads*head_size]; rotate adjacent pairs inside every head (run.c convention)."""
    T = x.shape[0]
    xr = x.reshape(T, -1, head_size // 2, 2)
    i = np.arange(head_size // 2, dtype=np.float64)
    freq = 1.0 / np.power(10000.0, (2 * i) / head_size)           # run.c: powf(10000, head_dim/head_size)
    ang = np.arange(T, dtype=np.float64)[:, None] * freq[None, :]  # [T, head/2]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    v0, v1 = xr[..., 0], xr[..., 1]
    out = np.stack([v0 * c - v1 * s, v0 * s + v1 * c], axis=-1)
    return out.reshape(x.shape).astype(x.dtype)


def forward(cfg, w, ids, dtype=np.float64):
    """Logits [T, V] for all positions of `ids` (full causal sequence, same math as run.c step by step)."""
    T = len(ids)
    H, KV, hs = cfg["n_heads"], cfg["n_kv_heads"], cfg["head_size"]
    kv_mul = H // KV
    cast = lambda a: a.astype(dtype)
    x = cast(w["tok"][np.asarray(ids)])
    mask = np.triu(np.full((T, T), -np.inf, dtype=dtype), k=1)
    for l in range(cfg["n_layers"]):
        xb = rmsnorm(x, cast(w["rms_att"][l]))
        q = rope(xb @ cast(w["wq"][l]).T, hs)
        k = rope(xb @ cast(w["wk"][l]).T, hs)
        v = xb @ cast(w["wv"][l]).T
        q = q.reshape(T, H, hs).transpose(1, 0, 2)                 # [H, T, hs]
        k = np.repeat(k.reshape(T, KV, hs).transpose(1, 0, 2), kv_mul, axis=0)
        v = np.repeat(v.reshape(T, KV, hs).transpose(1, 0, 2), kv_mul, axis=0)
        att = q @ k.transpose(0, 2, 1) / np.sqrt(np.asarray(hs, dtype=dtype)) + mask
        att = np.exp(att - att.max(axis=-1, keepdims=True))
        att /= att.sum(axis=-1, keepdims=True)
        o = (att @ v).transpose(1, 0, 2).reshape(T, H * hs)
        x = x + o @ cast(w["wo"][l]).T
        xb = rmsnorm(x, cast(w["rms_ffn"][l]))
        h1 = xb @ cast(w["w1"][l]).T
        h3 = xb @ cast(w["w3"][l]).T
        x = x + ((h1 / (1.0 + np.exp(-h1))) * h3) @ cast(w["w2"][l]).T
    x = rmsnorm(x, cast(w["rms_final"]))
    return x @ cast(w["cls"]).T


# ----------------------------------------------------------------------------- tokenizer
class Tokenizer:
    def __init__(self, path):
        with open(path, "rb") as f:
            raw = f.read()
        self.max_token_length = struct.unpack_from("<i", raw, 0)[0]
        off = 4
        self.pieces, self.scores = [], []
        while off < len(raw):
            score, n = struct.unpack_from("<fi", raw, off)
            off += 8
            self.pieces.append(raw[off:off + n])
            self.scores.append(score)
            off += n
        # duplicate strings (old export, see module doc): keep the highest id
        self.lookup = {}
        for i, p in enumerate(self.pieces):
            self.lookup[p] = i
        self.n_duplicates = len(self.pieces) - len(self.lookup)

    def encode(self, text, bos, eos=False):
        tokens = []
        if bos:
            tokens.append(BOS)
        data = text.encode("utf-8")
        if len(data) > 0:
            tokens.append(self.lookup[b" "])  # dummy prefix
        buf = b""
        for i, c in enumerate(data):
            if (c & 0xC0) != 0x80:
                buf = b""
            buf += bytes([c])
            if i + 1 < len(data) and (data[i + 1] & 0xC0) == 0x80 and len(buf) < 4:
                continue
            tid = self.lookup.get(buf, -1)
            if tid != -1:
                tokens.append(tid)
            else:
                tokens.extend(b + 3 for b in buf)  # byte fallback
            buf = b""
        while True:
            best_score, best_id, best_idx = -1e10, -1, -1
            for i in range(len(tokens) - 1):
                tid = self.lookup.get(self.pieces[tokens[i]] + self.pieces[tokens[i + 1]], -1)
                if tid != -1 and self.scores[tid] > best_score:
                    best_score, best_id, best_idx = self.scores[tid], tid, i
            if best_idx == -1:
                break
            tokens[best_idx:best_idx + 2] = [best_id]
        if eos:
            tokens.append(EOS)
        return tokens

    def piece_bytes(self, prev, tok):
        p = self.pieces[tok]
        if prev == BOS and p[:1] == b" ":
            p = p[1:]
        if 3 <= tok <= 258:
            return bytes([tok - 3])
        if len(p) == 6 and p.startswith(b"<0x") and p.endswith(b">"):
            return bytes([int(p[3:5], 16)])
        return p

    def decode(self, ids):
        out, prev = b"", None
        for t in ids:
            out += self.piece_bytes(prev, t) if t != BOS else b""
            prev = t
        return out.decode("utf-8", errors="replace")


def write_f32(path, arr):
    np.ascontiguousarray(arr, dtype="<f4").tofile(path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    cfg, w = load_model(os.path.join(MODEL_DIR, "model.bin"))
    tok = Tokenizer(os.path.join(MODEL_DIR, "tokenizer.bin"))
    print("config", cfg, "tokenizer max_token_length", tok.max_token_length,
          "duplicate pieces", tok.n_duplicates)

    # ---- logits fixture
    ids = tok.encode(PROMPT, bos=True)
    logits = forward(cfg, w, ids)
    logits32 = forward(cfg, w, ids, dtype=np.float32)
    d32 = float(np.max(np.abs(logits - logits32)))
    print("prompt ids", ids, "pieces", [tok.pieces[i].decode("utf-8", "replace") for i in ids])
    print("logits[0,:8]", logits[0, :8].tolist())
    print("max |f32 - f64| =", d32, " max|logit| =", float(np.abs(logits).max()))
    write_f32(os.path.join(OUT_DIR, "logits.f32"), logits)
    argmax = logits.argmax(axis=-1).tolist()
    with open(os.path.join(OUT_DIR, "prompt.json"), "w") as f:
        json.dump({
            "text": PROMPT,
            "ids": ids,
            "bos_prepended": True,
            "logits_shape": [len(ids), cfg["vocab_size"]],
            "logits_file": "logits.f32 (little-endian float32, row-major [T, V])",
            "argmax_per_position": argmax,
            "model": "stories15M (llama2.c model.bin, data/cache/models/stories15m)",
            "config": cfg,
            "computed_with": f"numpy {np.__version__} float64 (stories15m_logits.py); max |float32-float64| = {d32:.3e}",
            "conventions": {
                "rms_eps": 1e-5, "rope_theta": 10000.0,
                "rope_pairs": "adjacent (x[2i], x[2i+1]) within each head",
                "ffn": "w2(silu(w1 x) * w3 x)",
                "classifier": "token_embedding_table (shared)" if cfg["shared_classifier"] else "wcls",
            },
        }, f, indent=1)

    # ---- tokenizer cases
    case_texts = [
        "Once upon a time, there was a little girl",
        "Hello world!",
        "",
        " leading space",
        "two  spaces and\nnewline",
        "Numbers 12345 and 3.14",
        "café naïve — “quotes”",
        "emoji 🙂 and 日本",
        "Lily's dog didn't bark.",
    ]
    cases = [{"text": t, "ids": tok.encode(t, bos=False),
              "decoded": tok.decode([BOS] + tok.encode(t, bos=False))} for t in case_texts]
    with open(os.path.join(OUT_DIR, "tokenizer_cases.json"), "w") as f:
        json.dump({
            "convention": ("llama2.c run.c encode(text, bos=0, eos=0): a dummy-prefix token for ' ' "
                           "(id %d) is prepended whenever text is non-empty; UTF-8 chars looked up whole, "
                           "byte fallback id = byte + 3; then greedy best-score pair merging. Duplicate piece "
                           "strings (old tokenizer.bin export stores byte pieces as chr(b).encode('utf-8')) resolve "
                           "to the highest id (the regular sentencepiece piece). 'decoded' = run.c decode of "
                           "[BOS] + ids (leading space stripped after BOS, byte pieces -> raw bytes)." % tok.lookup[b" "]),
            "bos_id": BOS, "eos_id": EOS, "vocab_size": len(tok.pieces),
            "max_token_length": tok.max_token_length,
            "cases": cases,
        }, f, indent=1, ensure_ascii=False)
    for c in cases:
        print("case", repr(c["text"]), c["ids"], repr(c["decoded"]))

    # ---- greedy generation
    gids = tok.encode(GREEDY_PROMPT, bos=True)
    seq = list(gids)
    new = []
    for _ in range(GREEDY_STEPS):
        nxt = int(forward(cfg, w, seq)[-1].argmax())
        if nxt == BOS:  # run.c stops on BOS
            break
        seq.append(nxt)
        new.append(nxt)
    # float32 cross-check of the greedy path
    seq32 = list(gids)
    for _ in range(len(new)):
        seq32.append(int(forward(cfg, w, seq32, dtype=np.float32)[-1].argmax()))
    text = tok.decode(seq)
    print("greedy:", repr(text))
    with open(os.path.join(OUT_DIR, "greedy.json"), "w") as f:
        json.dump({
            "prompt": GREEDY_PROMPT,
            "prompt_ids": gids,
            "steps": GREEDY_STEPS,
            "new_ids": new,
            "all_ids": seq,
            "text": text,
            "decode": "run.c decode: skip BOS, strip leading ' ' of the piece after BOS, byte pieces -> raw bytes, UTF-8",
            "sampling": "argmax (temperature 0), full-sequence float64 numpy forward; stops early only if BOS is produced",
            "float32_forward_same_tokens": seq32 == seq,
        }, f, indent=1, ensure_ascii=False)
    if seq32 != seq:
        print("WARNING: float32 greedy path differs", seq32, file=sys.stderr)


if __name__ == "__main__":
    main()
