import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { embedByLength } from '../text/embedding-input';
import { describe, expect, test } from 'vitest';
import { parseCorpus, parseQrels, parseQueries } from './beir';
import { analyze } from '../retrieval/analyzer';
import {
  corpusPassageTexts,
  evaluateRetrieval,
  MissingEmbedderError,
  prepareEval,
  runEval,
  type EvalEmbedder,
} from './retrieval-eval';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/beir-scifact/${name}`, import.meta.url));

describe('evaluateRetrieval', () => {
  // Published BM25 on SciFact: 0.665 (BEIR paper), 0.679 (Pyserini).
  test('keyword nDCG@10 on SciFact ≥ 0.67', { timeout: 30_000 }, async () => {
    const report = await evaluateRetrieval(
      {
        corpus: parseCorpus(gunzipSync(fixture('corpus.jsonl.gz')).toString('utf8')),
        queries: parseQueries(fixture('queries.jsonl').toString('utf8')),
        qrels: parseQrels(fixture('qrels-test.tsv').toString('utf8')),
      },
      { mode: 'keyword' },
    );
    expect(report.documents).toBe(5183);
    expect(report.queries).toBe(300);
    expect(report.ndcgAt10).toBeGreaterThanOrEqual(0.67);
    expect(report.recallAt100).toBeGreaterThan(0.9);
    expect(report.mrrAt10).toBeGreaterThan(0.6);
  });

  // A bag-of-words embedder: each term adds a fixed pseudo-random direction.
  const embedder: EvalEmbedder = {
    embedPassages: async (texts) => embed(texts),
    embedQueries: async (texts) => embed(texts),
  };
  function embed(texts: string[]): Float32Array {
    const dim = 32;
    const out = new Float32Array(texts.length * dim);
    texts.forEach((text, i) => {
      for (const term of analyze(text)) {
        let h = 2166136261;
        for (const c of term) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
        for (let d = 0; d < dim; d++) {
          h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
          out[i * dim + d]! += (h & 0xffff) / 0x8000 - 1;
        }
      }
    });
    return out;
  }
  const tiny = {
    corpus: [
      { id: 'd1', title: 'Solar', text: 'Solar panels turn light into power.' },
      { id: 'd2', title: 'Wind', text: 'Wind turbines turn moving air into power.' },
      { id: 'd3', title: 'Tides', text: 'Tidal barrages use the sea.' },
    ],
    queries: [
      { id: 'q1', text: 'solar panels' },
      { id: 'q2', text: 'wind turbines' },
      { id: 'unjudged', text: 'sea' },
    ],
    qrels: new Map([
      ['q1', new Map([['d1', 1]])],
      ['q2', new Map([['d2', 1]])],
    ]),
  };

  test('dense and hybrid run through the same path with an embedder', async () => {
    for (const mode of ['dense', 'hybrid'] as const) {
      const report = await evaluateRetrieval(tiny, { mode, embedder, batchSize: 2 });
      expect(report).toMatchObject({ mode, documents: 3, queries: 2, ndcgAt10: 1, mrrAt10: 1 });
      expect(report.queriesPerSecond).toBeGreaterThan(0);
    }
  });

  test('one preparation serves every mode, on any subset of the queries', async () => {
    const prepared = await prepareEval(tiny, { embedder });
    const corpusVectors = await embedByLength(
      corpusPassageTexts(tiny.corpus),
      async (t) => embed(t),
      {
        batchSize: 2,
        longestFirst: true,
      },
    );
    const again = await prepareEval(tiny, { embedder, corpusVectors });
    expect(again.vectors!.search(again.queryVectors![0]!, 1)[0]!.docId).toBe('d1');
    for (const mode of ['keyword', 'dense', 'hybrid'] as const) {
      expect(runEval(prepared, { mode })).toMatchObject({ queries: 2, ndcgAt10: 1 });
      const q2 = runEval(prepared, { mode, include: (q) => q.id === 'q2' });
      expect(q2).toMatchObject({ queries: 1, mrrAt10: 1 });
    }
  });

  test('dense without an embedder says what to pass', async () => {
    await expect(evaluateRetrieval(tiny, { mode: 'hybrid' })).rejects.toThrow(MissingEmbedderError);
  });
});
