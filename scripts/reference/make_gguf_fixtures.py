#!/usr/bin/env python3
"""Write the small GGUF fixtures used by Tests/GGUFTests and a JSON description of each.

Uses the `gguf` Python package (llama.cpp's gguf-py) to write the files, then reads them back
with `gguf.GGUFReader` and records what it sees, so the Swift reader is checked against an
independent implementation rather than against itself.

    python3 scripts/reference/make_gguf_fixtures.py   # from the repository root

Outputs (Tests/Fixtures/gguf/):
  tiny-v3.gguf / .json          every metadata value type, F32/F16/Q8_0/Q4_1 tensors, alignment 32
  tiny-v3-align64.gguf / .json  same content with general.alignment = 64
  tiny-v2.gguf / .json          tiny-v3.gguf with the version field set to 2 (gguf-py only writes
                                v3; v2 and v3 differ only in that v3 allows big-endian files)
"""
import json
import os
import struct
import sys

import numpy as np
import gguf
from gguf import GGUFReader, GGUFValueType, GGMLQuantizationType

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "gguf")


def tensors():
    """(name, array, raw_dtype) with deterministic contents."""
    rng = np.random.default_rng(1234)
    out = []
    # F32: shape (rows=3, cols=8) in numpy order -> ggml shape [8, 3].
    out.append(("token_embd.weight", (np.arange(24, dtype=np.float32) * 0.5 - 3).reshape(3, 8), None))
    out.append(("blk.0.attn_norm.weight", rng.standard_normal(16).astype(np.float16), None))
    # Quantized tensors as raw bytes: numpy shape (rows, bytes per row); gguf-py converts it to
    # the element shape. Q8_0: 32 elements -> 34 bytes; Q4_1: 32 elements -> 20 bytes.
    out.append(("blk.0.attn_q.weight", rng.integers(0, 256, size=(2, 2 * 34), dtype=np.uint8),
                GGMLQuantizationType.Q8_0))
    out.append(("blk.0.ffn_down.weight", rng.integers(0, 256, size=(3, 20), dtype=np.uint8),
                GGMLQuantizationType.Q4_1))
    out.append(("output_norm.weight", np.array([1.0, -2.5, 3.25, 0.0, 1e-6], dtype=np.float32), None))
    return out


def write(path, alignment=None):
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_name("tiny-fixture")
    w.add_context_length(64)
    w.add_block_count(1)
    w.add_embedding_length(8)
    w.add_head_count(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    if alignment is not None:
        w.add_custom_alignment(alignment)
    w.add_uint8("test.uint8", 200)
    w.add_int8("test.int8", -100)
    w.add_uint16("test.uint16", 60000)
    w.add_int16("test.int16", -30000)
    w.add_uint32("test.uint32", 4000000000)
    w.add_int32("test.int32", -2000000000)
    w.add_float32("test.float32", 0.1)
    w.add_uint64("test.uint64", 2**64 - 1)
    w.add_int64("test.int64", -(2**63))
    w.add_float64("test.float64", 3.141592653589793)
    w.add_bool("test.bool_true", True)
    w.add_bool("test.bool_false", False)
    w.add_string("test.string_utf8", "héllo ✓ 🦙")
    w.add_array("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "▁hello", "ü", "\n"])
    w.add_array("tokenizer.ggml.scores", [0.0, -1.5, 2.25])
    w.add_array("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 6])
    w.add_key_value("test.array_bool", [True, False, True], GGUFValueType.ARRAY, GGUFValueType.BOOL)
    w.add_key_value("test.array_uint8", [1, 2, 255], GGUFValueType.ARRAY, GGUFValueType.UINT8)
    w.add_key_value("test.array_int64", [-1, 2**62], GGUFValueType.ARRAY, GGUFValueType.INT64)
    w.add_key_value("test.array_float64", [0.5, -0.25], GGUFValueType.ARRAY, GGUFValueType.FLOAT64)
    w.add_array("test.array_of_arrays", [[1, 2, 3], [4], [5, 6]])
    w.add_array("test.array_of_string_arrays", [["a", "bc"], ["déf"]])
    for name, arr, raw in tensors():
        w.add_tensor(name, arr, raw_dtype=raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


TYPE_NAMES = {
    GGUFValueType.UINT8: "uint8", GGUFValueType.INT8: "int8", GGUFValueType.UINT16: "uint16",
    GGUFValueType.INT16: "int16", GGUFValueType.UINT32: "uint32", GGUFValueType.INT32: "int32",
    GGUFValueType.FLOAT32: "float32", GGUFValueType.BOOL: "bool", GGUFValueType.STRING: "string",
    GGUFValueType.ARRAY: "array", GGUFValueType.UINT64: "uint64", GGUFValueType.INT64: "int64",
    GGUFValueType.FLOAT64: "float64",
}


def decode(parts, i, vtype):
    """Rebuild a typed value from GGUFReader's flat `parts` list (it flattens nested arrays).
    Returns (json value, next part index). 64-bit integers are strings so JSON keeps them exact."""
    if vtype == GGUFValueType.STRING:
        return {"type": "string", "value": bytes(parts[i + 1]).decode("utf-8")}, i + 2
    if vtype == GGUFValueType.ARRAY:
        itype = GGUFValueType(int(parts[i][0]))
        count = int(parts[i + 1][0])
        i += 2
        items = []
        for _ in range(count):
            item, i = decode(parts, i, itype)
            items.append(item)
        return {"type": "array", "value": items}, i
    v = parts[i][0]
    name = TYPE_NAMES[vtype]
    if vtype == GGUFValueType.BOOL:
        value = bool(v)
    elif vtype in (GGUFValueType.FLOAT32, GGUFValueType.FLOAT64):
        value = float(v)  # a float32 widened to double is exact
    elif vtype in (GGUFValueType.UINT64, GGUFValueType.INT64):
        value = str(int(v))
    else:
        value = int(v)
    return {"type": name, "value": value}, i + 1


def describe(path):
    r = GGUFReader(path)
    meta = []
    for key, field in r.fields.items():
        if key.startswith("GGUF."):
            continue
        # field.parts = [key length, key bytes, value type, value parts...]
        vtype = GGUFValueType(int(field.parts[2][0]))
        value, end = decode(field.parts, 3, vtype)
        assert end == len(field.parts), key
        meta.append({"key": key, **value})
    ts = []
    for t in r.tensors:
        ts.append({
            "name": t.name,
            "shape": [int(d) for d in t.shape],
            "type": t.tensor_type.name,
            "type_id": int(t.tensor_type),
            "offset": int(t.data_offset),
            "byte_count": int(t.n_bytes),
            "element_count": int(t.n_elements),
            "data_hex": bytes(np.asarray(t.data).tobytes()).hex(),
        })
    version = int(r.fields["GGUF.version"].parts[0][0])
    return {
        "version": version,
        "alignment": int(r.alignment),
        "data_offset": int(r.data_offset),
        "file_size": os.path.getsize(path),
        "metadata": meta,
        "tensors": ts,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    v3 = os.path.join(OUT, "tiny-v3.gguf")
    a64 = os.path.join(OUT, "tiny-v3-align64.gguf")
    v2 = os.path.join(OUT, "tiny-v2.gguf")
    write(v3)
    write(a64, alignment=64)
    with open(v3, "rb") as f:
        raw = bytearray(f.read())
    struct.pack_into("<I", raw, 4, 2)
    with open(v2, "wb") as f:
        f.write(raw)
    for path in (v3, a64, v2):
        desc = describe(path)
        with open(path[:-len(".gguf")] + ".json", "w") as f:
            json.dump(desc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"{os.path.relpath(path)}: {desc['file_size']} bytes, v{desc['version']}, "
              f"{len(desc['metadata'])} keys, {len(desc['tensors'])} tensors", file=sys.stderr)


if __name__ == "__main__":
    main()
