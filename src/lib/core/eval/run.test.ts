import { describe, expect, it } from 'vitest';
import { describeSettings, knowledgeBaseFingerprint, toEvalPassage } from './run';
import { SETTINGS } from './run-fixture';
import type { Passage } from '../kb/documents';

describe('knowledgeBaseFingerprint', () => {
  const chunking = { targetTokens: 256, overlapTokens: 32 };
  const handbook = { name: 'handbook.md', contentHash: 'aa11', modelId: 'm/one', chunking };
  const policy = { name: 'policy.md', contentHash: 'bb22', modelId: 'm/one', chunking };

  it('is the same for the same documents in any order', () => {
    expect(knowledgeBaseFingerprint([handbook, policy])).toBe(
      knowledgeBaseFingerprint([policy, handbook]),
    );
  });

  it('changes when a document is added, removed, renamed, replaced, re-embedded or re-chunked', () => {
    const base = knowledgeBaseFingerprint([handbook, policy]);
    const changed = [
      [handbook],
      [handbook, policy, { ...policy, name: 'faq.txt' }],
      [handbook, { ...policy, name: 'policy-v2.md' }],
      [handbook, { ...policy, contentHash: 'cc33' }],
      [handbook, { ...policy, modelId: 'm/two' }],
      [handbook, { ...policy, chunking: { targetTokens: 128, overlapTokens: 32 } }],
    ].map(knowledgeBaseFingerprint);
    for (const fingerprint of changed) expect(fingerprint).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });
});

describe('describeSettings', () => {
  it('lists every setting with its value, RRF settings for hybrid retrieval with RRF', () => {
    const lines = describeSettings(SETTINGS);
    expect(lines.map((l) => `${l.label}: ${l.value}`)).toEqual([
      'Embedding model: Xenova/all-MiniLM-L6-v2',
      'Chunk size: 256 tokens',
      'Chunk overlap: 32 tokens',
      'Retrieval: Hybrid (dense + keyword)',
      'Fusion: Reciprocal rank fusion',
      'RRF k: 60',
      'Passages retrieved (top-k): 3',
      'Reranker: Off',
      `Language model: ${SETTINGS.languageModel}`,
      'Temperature: 0.2',
      'Top-p: 0.9',
      'Seed: 42',
      'Max tokens: 384',
    ]);
  });

  it('shows the dense weight for weighted fusion, and no fusion for a single search', () => {
    const weighted = describeSettings({
      ...SETTINGS,
      retrieval: { ...SETTINGS.retrieval, fusion: 'weighted', denseWeight: 0.7 },
    });
    expect(weighted.map((l) => l.key)).toContain('retrieval.denseWeight');
    expect(weighted.map((l) => l.key)).not.toContain('retrieval.rrfK');
    const dense = describeSettings({
      ...SETTINGS,
      retrieval: { ...SETTINGS.retrieval, mode: 'dense' },
      reranker: 'Xenova/ms-marco-MiniLM-L-6-v2',
    });
    expect(dense.filter((l) => l.key.startsWith('retrieval.')).map((l) => l.value)).toEqual([
      'Dense (embeddings)',
    ]);
    expect(dense.find((l) => l.key === 'reranker')?.value).toBe('Xenova/ms-marco-MiniLM-L-6-v2');
  });
});

it('toEvalPassage keeps what a run needs of a retrieved passage, and no more', () => {
  const retrieved: Passage = {
    rank: 2,
    score: 0.61,
    docId: 'd1',
    docName: 'policy.pdf',
    ordinal: 3,
    chunkCount: 9,
    start: 100,
    end: 400,
    headingPath: ['Travel', 'Rail first'],
    text: 'Rail is mandatory for journeys of 6 hours or less.',
    page: 4,
    denseRank: 1,
    matchedTerms: ['rail'],
  };
  expect(toEvalPassage(retrieved)).toEqual({
    docName: 'policy.pdf',
    ordinal: 3,
    chunkCount: 9,
    headingPath: ['Travel', 'Rail first'],
    page: 4,
    score: 0.61,
    text: 'Rail is mandatory for journeys of 6 hours or less.',
  });
});
