#!/usr/bin/env python3
"""
Writes test/fixtures/minilm-reference/token-ids.json: the token ids of a few sentences by Hugging
Face's Python `tokenizers` (the Rust implementation), an implementation independent of
transformers.js's, for src/lib/workers/embed/real-minilm.test.ts. The test feeds these ids to
onnxruntime-node directly, pools and normalises by hand, and compares with the app's embedder.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install tokenizers==0.22.1
    /tmp/venv/bin/python scripts/make-minilm-reference.py [models/Xenova/all-MiniLM-L6-v2]
"""
import hashlib
import json
import sys
from pathlib import Path

import tokenizers

ROOT = Path(__file__).resolve().parent.parent
MODEL = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models/Xenova/all-MiniLM-L6-v2"
OUT = ROOT / "test/fixtures/minilm-reference/token-ids.json"

SENTENCES = [
    # sentence-transformers' quickstart example (its published similarity matrix).
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    # A paraphrase pair and an unrelated sentence, in the register of the sample corpus.
    "Employees receive 31 days of paid leave each year.",
    "Every member of staff gets thirty-one days of holiday a year.",
    "The greenhouse heater is serviced every October.",
    # Accents, digits, punctuation and a word split into word pieces.
    "Café Zürich's thermocouple calibration costs €1,250 (see §4.2).",
]

tokenizer_file = MODEL / "tokenizer.json"
tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_file))
# Xenova's tokenizer.json pads and truncates to 128; transformers.js ignores both.
tokenizer.no_padding()
tokenizer.no_truncation()

sentences = []
for text in SENTENCES:
    encoding = tokenizer.encode(text)
    sentences.append({"text": text, "ids": encoding.ids, "tokens": encoding.tokens})

fixture = {
    "about": "Token ids (with [CLS] and [SEP]) of all-MiniLM-L6-v2's tokenizer, made by "
    "scripts/make-minilm-reference.py with Python tokenizers " + tokenizers.__version__ + ".",
    "tokenizer": {
        "file": "Xenova/all-MiniLM-L6-v2/tokenizer.json",
        "sha256": hashlib.sha256(tokenizer_file.read_bytes()).hexdigest(),
    },
    "sentences": sentences,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {OUT.relative_to(ROOT)}: {len(sentences)} sentences")
