/**
 * BM25 over 100,000 chunks of synthetic text (150 words each, drawn from a Zipf-distributed
 * 30,000-word vocabulary, 50 chunks per document with a title and headings): index build time,
 * query time, memory and snapshot size, for the app's KeywordIndex and for MiniSearch given the
 * same analyzer. Then nDCG@10 of both on BEIR SciFact (test/fixtures/beir-scifact).
 *
 *   npm run bench -- keyword
 */
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import MiniSearch from 'minisearch';
import { analyze, termOf } from '../src/lib/core/retrieval/analyzer';
import { parseCorpus, parseQrels, parseQueries } from '../src/lib/core/eval/beir';
import { KeywordIndex } from '../src/lib/core/retrieval/bm25';
import { evaluateRun } from '../src/lib/core/eval/metrics';
import { evaluateRetrieval } from '../src/lib/core/eval/retrieval-eval';
import { heapBytes, median, mib, ms, timeEach, times } from './support';
import { KEYWORD_CORPUS, keywordCorpus } from './synthetic';

const { chunks: CHUNKS, queries: QUERIES } = KEYWORD_CORPUS;

const TOKEN = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
/** MiniSearch with the app's analyzer, Lucene's BM25 constants and no BM25+ offset. */
function miniSearch() {
  return new MiniSearch<{ id: string; title: string; headings: string; text: string }>({
    fields: ['title', 'headings', 'text'],
    tokenize: (text) => text.match(TOKEN) ?? [],
    processTerm: (term) => termOf(term) || null,
    searchOptions: { bm25: { k: 1.2, b: 0.75, d: 0 } },
  });
}

function loadSciFact() {
  const dir = new URL('../test/fixtures/beir-scifact/', import.meta.url);
  return {
    corpus: parseCorpus(gunzipSync(readFileSync(new URL('corpus.jsonl.gz', dir))).toString()),
    queries: parseQueries(readFileSync(new URL('queries.jsonl', dir), 'utf8')),
    qrels: parseQrels(readFileSync(new URL('qrels-test.tsv', dir), 'utf8')),
  };
}

export async function run() {
  const { docs, queries } = keywordCorpus();
  const words = docs.reduce(
    (n, d) => n + d.chunks.reduce((m, c) => m + c.text.split(' ').length, 0),
    0,
  );

  // The app's index.
  let before = heapBytes();
  let started = performance.now();
  const index = new KeywordIndex();
  for (const doc of docs) index.add(doc.id, doc.title, doc.chunks);
  index.flush();
  const buildMs = performance.now() - started;
  const bytes = heapBytes() - before;
  const queryMs = median(timeEach(queries, (q) => index.search(q, 10)));
  started = performance.now();
  const snapshot = index.toSnapshot();
  const snapshotMs = performance.now() - started;
  const snapshotBytes = serialize(snapshot).byteLength;
  started = performance.now();
  const restored = KeywordIndex.fromSnapshot(structuredClone(snapshot));
  restored.search('warm', 1); // builds the length norms
  const restoreMs = performance.now() - started;

  // Analysis alone, as the floor for any index built from text.
  started = performance.now();
  for (const doc of docs) for (const chunk of doc.chunks) analyze(chunk.text);
  const analyzeMs = performance.now() - started;

  // MiniSearch, same chunks and analyzer.
  before = heapBytes();
  started = performance.now();
  const mini = miniSearch();
  for (const doc of docs) {
    mini.addAll(
      doc.chunks.map((c) => ({
        id: `${doc.id}#${c.ordinal}`,
        title: doc.title,
        headings: c.headingPath.join('\n'),
        text: c.text,
      })),
    );
  }
  const miniBuildMs = performance.now() - started;
  const miniBytes = heapBytes() - before;
  const miniQueryMs = median(timeEach(queries, (q) => mini.search(q).slice(0, 10)));
  started = performance.now();
  const json = JSON.stringify(mini);
  const miniSnapshotMs = performance.now() - started;
  started = performance.now();
  MiniSearch.loadJSON(json, {
    fields: ['title', 'headings', 'text'],
    tokenize: (text) => text.match(TOKEN) ?? [],
    processTerm: (term) => termOf(term) || null,
  });
  const miniRestoreMs = performance.now() - started;

  // Quality on SciFact.
  const scifact = loadSciFact();
  const ours = await evaluateRetrieval(scifact, { mode: 'keyword' });
  const sciMini = miniSearch();
  sciMini.addAll(
    scifact.corpus.map((d) => ({ id: d.id, title: d.title, headings: '', text: d.text })),
  );
  const miniRun = new Map(
    scifact.queries
      .filter((q) => scifact.qrels.has(q.id))
      .map((q) => [
        q.id,
        sciMini
          .search(q.text)
          .slice(0, 100)
          .map((r) => String(r.id)),
      ]),
  );
  const miniQuality = evaluateRun(miniRun, scifact.qrels);

  const faster = (a: number, b: number) => `MiniSearch ${times(b / a)} slower`;
  return [
    {
      name:
        `BM25 over ${CHUNKS.toLocaleString('en')} chunks (${(words / 1e6).toFixed(1)}M words, ` +
        `${index.termCount.toLocaleString('en')} terms), top-10, median of ${QUERIES} queries`,
      columns: ['measure', 'KeywordIndex', 'MiniSearch 7.2', 'note'],
      rows: [
        ['build (analysis included)', ms(buildMs), ms(miniBuildMs), faster(buildMs, miniBuildMs)],
        ['  of which analysis', ms(analyzeMs), ms(analyzeMs), 'the same analyzer for both'],
        ['query', ms(queryMs), ms(miniQueryMs), faster(queryMs, miniQueryMs)],
        [
          'memory (heap after build)',
          mib(bytes),
          mib(miniBytes),
          `typed arrays ${mib(index.byteLength)}`,
        ],
        [
          'snapshot: make / size',
          `${ms(snapshotMs)} / ${mib(snapshotBytes)}`,
          `${ms(miniSnapshotMs)} / ${mib(json.length)}`,
          'structured clone vs JSON',
        ],
        [
          'restore from snapshot',
          ms(restoreMs),
          ms(miniRestoreMs),
          'until the first query can run',
        ],
      ],
      ok: true,
    },
    {
      name: `BM25 quality on BEIR SciFact (${ours.documents.toLocaleString('en')} abstracts, ${ours.queries} test queries)`,
      columns: ['measure', 'KeywordIndex', 'MiniSearch 7.2', 'note'],
      rows: [
        [
          'nDCG@10',
          ours.ndcgAt10.toFixed(4),
          miniQuality.ndcgAt10.toFixed(4),
          'goal ≥ 0.67; Pyserini 0.679',
        ],
        ['Recall@100', ours.recallAt100.toFixed(4), miniQuality.recallAt100.toFixed(4), ''],
        ['MRR@10', ours.mrrAt10.toFixed(4), miniQuality.mrrAt10.toFixed(4), ''],
        ['build', ms(ours.keywordIndexMs), '', ''],
      ],
      ok: ours.ndcgAt10 >= 0.67,
    },
  ];
}
