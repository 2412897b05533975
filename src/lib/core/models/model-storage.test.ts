import { describe, expect, test } from 'vitest';
import type { DocumentRecord } from '../kb/documents';
import { deletionProblem, documentFootprints, groupByRepo, repoOfUrl } from './model-storage';

describe('repoOfUrl', () => {
  test('the hub, a mirror, and a mirror under a path', () => {
    expect(
      repoOfUrl('https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model.onnx'),
    ).toBe('Xenova/all-MiniLM-L6-v2');
    expect(
      repoOfUrl('http://127.0.0.1:9000/grounded-test/tiny-embedder/resolve/main/config.json'),
    ).toBe('grounded-test/tiny-embedder');
    expect(
      repoOfUrl('http://lab.local/models/mlc-ai/Qwen2.5-0.5B-MLC/resolve/main/tokenizer.json'),
    ).toBe('mlc-ai/Qwen2.5-0.5B-MLC');
  });

  test('files outside a repository layout are nobody’s', () => {
    expect(repoOfUrl('http://localhost:4173/assets/ort-wasm-simd-threaded.asyncify.wasm')).toBe(
      null,
    );
    expect(repoOfUrl('http://x/resolve/main/config.json')).toBe(null);
    expect(repoOfUrl('http://x/owner/name/resolve/')).toBe(null);
    expect(repoOfUrl('not a url')).toBe(null);
  });
});

test('groupByRepo sums each repository, largest first, and keeps the rest apart', () => {
  const hub = 'https://huggingface.co/';
  expect(
    groupByRepo([
      { url: `${hub}a/small/resolve/main/config.json`, bytes: 10 },
      { url: `${hub}b/large/resolve/main/onnx/model.onnx`, bytes: 1000 },
      { url: `${hub}a/small/resolve/main/onnx/model_quantized.onnx`, bytes: 90 },
      { url: 'http://localhost/assets/ort.wasm', bytes: 5 },
    ]),
  ).toEqual({
    repos: [
      { repo: 'b/large', bytes: 1000, files: 1 },
      { repo: 'a/small', bytes: 100, files: 2 },
    ],
    other: [{ url: 'http://localhost/assets/ort.wasm', bytes: 5 }],
  });
});

test('documentFootprints: text twice in UTF-16 plus float32 vectors, largest first', () => {
  const doc = (id: string, charCount: number, chunkCount: number) =>
    ({ id, name: `${id}.md`, charCount, chunkCount }) as DocumentRecord;
  expect(documentFootprints([doc('a', 100, 1), doc('b', 1000, 3)], 384)).toEqual([
    { id: 'b', name: 'b.md', bytes: 1000 * 4 + 3 * 384 * 4 },
    { id: 'a', name: 'a.md', bytes: 100 * 4 + 384 * 4 },
  ]);
  expect(documentFootprints([], 384)).toEqual([]);
});

describe('deletionProblem', () => {
  test('none when every step worked', () => {
    expect(deletionProblem([{ what: 'the documents' }, { what: 'the models' }])).toBe(null);
  });

  test('names what is still stored and why, and what was deleted', () => {
    expect(
      deletionProblem([
        { what: 'the documents' },
        { what: 'the GPU language models', error: 'QuotaExceededError' },
        { what: 'the CPU (GGUF) language models' },
      ]),
    ).toBe(
      'Delete everything did not finish. Still stored: the GPU language models ' +
        '(QuotaExceededError). Deleted: the documents, the CPU (GGUF) language models. Press ' +
        'Delete everything again to retry, or reload the page first if it keeps failing.',
    );
  });

  test('says so when nothing was deleted', () => {
    expect(deletionProblem([{ what: 'the documents', error: 'closed' }])).toMatch(
      /Still stored: the documents \(closed\)\. Nothing was deleted\./,
    );
  });
});
