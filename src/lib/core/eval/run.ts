/**
 * An evaluation run as it is kept, compared and exported: the settings it ran with, the questions
 * as they were asked, and per question what was retrieved and what both answers said. Scores are
 * not stored; scoring.ts computes them from this, so a better scorer rescores old runs.
 */

import type { Sampling } from '../answers/sampling';
import type { SupportSummary } from '../answers/support';
import type { Passage } from '../kb/documents';
import type { RetrievalMode } from '../retrieval/retrieval';
import type { ChunkingOptions } from '../text/chunking';
import { formatDateTime } from '../text/format';
import { cyrb53, type QuestionSet } from './questions';

/** How passages were found; the shape of the settings' retrieval preferences. */
export interface RunRetrieval {
  mode: RetrievalMode;
  fusion: 'rrf' | 'weighted';
  rrfK: number;
  /** Weighted fusion: the dense share, 0–1. */
  denseWeight: number;
}

/** Everything that decides a run's answers, as the settings held it when the run started. */
export interface RunSettings {
  embeddingModel: string;
  retrieval: RunRetrieval;
  /** Passages retrieved per question. */
  topK: number;
  /** The cross-encoder's model id when reranking was on; null when off. */
  reranker: string | null;
  /** The language model's id: a web-llm id or a `gguf:` id. */
  languageModel: string;
  sampling: Sampling;
  /** The chunking the documents were split with. */
  chunking: ChunkingOptions;
}

/** One retrieved passage as the run recorded it. */
export interface EvalPassage {
  docName: string;
  /** The chunk's place in its document, from 0, of `chunkCount`. */
  ordinal: number;
  chunkCount: number;
  headingPath: string[];
  /** PDF: the 1-based page. */
  page?: number;
  /** What the ranking was by (cosine, BM25, fused or reranker score); only comparable within a question. */
  score: number;
  text: string;
}

/**
 * How an answer ended. done: the model finished; length: cut at the longest answer allowed;
 * stopped: cancelled; failed: the engine failed (`error` says how).
 */
export type AnswerEnd = 'done' | 'length' | 'stopped' | 'failed';

export interface EvalAnswer {
  text: string;
  end: AnswerEnd;
  error?: string;
  /** From sending the prompt to the first token; null when none came. */
  firstTokenMs: number | null;
  tokens: number;
  /** Tokens after the first over the time they took; null with fewer than two tokens. */
  tokensPerSecond: number | null;
  /** From sending the prompt to the end. */
  totalMs: number;
  /**
   * The answer inspector's check of its sentences against the passages, as Ask makes it: the
   * grounded answer against its prompt's passages, the ungrounded one against every retrieved
   * passage. Absent when it was not checked: it was stopped, failed or empty, the check failed,
   * or the run was made before answers were checked.
   */
  support?: SupportSummary;
}

/** One question, asked once: what was retrieved and both answers. */
export interface EvalResult {
  /** The EvalQuestion's id. */
  questionId: string;
  /** Retrieved passages, best first: passages[i] had rank i + 1. */
  passages: EvalPassage[];
  /**
   * How many of them, from the first, the grounded prompt held (the context budget drops the
   * lowest-ranked): the grounded answer's citation [n] names passages[n − 1], n ≤ promptPassages.
   */
  promptPassages: number;
  retrievalMs: number;
  grounded: EvalAnswer;
  ungrounded: EvalAnswer;
}

/** What the knowledge base held when a run started. */
export interface KnowledgeBaseStamp {
  documents: number;
  chunks: number;
  /** knowledgeBaseFingerprint of its documents. */
  fingerprint: string;
}

export interface EvalRun {
  /** Unique among kept runs. */
  id: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** When the last question finished or the run was cancelled; absent while it runs. */
  finishedAt?: number;
  /** Cancel stopped it: the questions without a result were not asked. */
  cancelled: boolean;
  settings: RunSettings;
  /** The questions as they were asked; editing the set later does not change the run. */
  questionSet: QuestionSet;
  /** In the order asked; at most one per question. */
  results: EvalResult[];
  knowledgeBase: KnowledgeBaseStamp;
}

/** A retrieved passage as a run records it. */
export function toEvalPassage(passage: Passage): EvalPassage {
  return {
    docName: passage.docName,
    ordinal: passage.ordinal,
    chunkCount: passage.chunkCount,
    headingPath: [...passage.headingPath],
    ...(passage.page !== undefined && { page: passage.page }),
    score: passage.score,
    text: passage.text,
  };
}

/** What of a stored document decides what retrieval can find in it. */
export interface FingerprintedDocument {
  name: string;
  contentHash: string;
  modelId: string;
  chunking: ChunkingOptions;
}

/**
 * A short string that changes whenever a document is added, removed, renamed, replaced, or
 * embedded or chunked differently, whatever the order `documents` come in: two runs with equal
 * fingerprints searched the same passages.
 */
export function knowledgeBaseFingerprint(documents: readonly FingerprintedDocument[]): string {
  const lines = documents
    .map((d) =>
      JSON.stringify([
        d.name,
        d.contentHash,
        d.modelId,
        d.chunking.targetTokens,
        d.chunking.overlapTokens,
      ]),
    )
    .sort();
  return `${documents.length}-${cyrb53(lines.join('\n')).toString(16).padStart(14, '0')}`;
}

/** What `documents` hold, as a run starting now is stamped (see KnowledgeBaseStamp). */
export function knowledgeBaseStamp(
  documents: readonly (FingerprintedDocument & { chunkCount: number })[],
): KnowledgeBaseStamp {
  return {
    documents: documents.length,
    chunks: documents.reduce((sum, d) => sum + d.chunkCount, 0),
    fingerprint: knowledgeBaseFingerprint(documents),
  };
}

/** “Sample questions” of 1 Apr 2025, 09:00, in the reader's locale. */
export function runLabel(run: Pick<EvalRun, 'questionSet' | 'startedAt'>): string {
  return `“${run.questionSet.name}” of ${formatDateTime(run.startedAt)}`;
}

/** One setting as a person reads it. */
export interface SettingLine {
  /** Stable across runs, for comparing: "retrieval.mode", "sampling.temperature", … */
  key: string;
  label: string;
  value: string;
}

const MODES: Readonly<Record<RetrievalMode, string>> = {
  hybrid: 'Hybrid (dense + keyword)',
  dense: 'Dense (embeddings)',
  keyword: 'Keyword (BM25)',
};

/**
 * The settings a run used, in the order the settings panel shows them. Fusion settings appear
 * only for hybrid retrieval, and only those of the fusion used: a setting that had no effect is
 * not listed.
 */
export function describeSettings(settings: RunSettings): SettingLine[] {
  const { retrieval, sampling, chunking } = settings;
  const lines: SettingLine[] = [
    { key: 'embeddingModel', label: 'Embedding model', value: settings.embeddingModel },
    { key: 'chunking.targetTokens', label: 'Chunk size', value: `${chunking.targetTokens} tokens` },
    {
      key: 'chunking.overlapTokens',
      label: 'Chunk overlap',
      value: `${chunking.overlapTokens} tokens`,
    },
    { key: 'retrieval.mode', label: 'Retrieval', value: MODES[retrieval.mode] },
  ];
  if (retrieval.mode === 'hybrid') {
    if (retrieval.fusion === 'rrf') {
      lines.push(
        { key: 'retrieval.fusion', label: 'Fusion', value: 'Reciprocal rank fusion' },
        { key: 'retrieval.rrfK', label: 'RRF k', value: String(retrieval.rrfK) },
      );
    } else {
      lines.push(
        { key: 'retrieval.fusion', label: 'Fusion', value: 'Weighted sum of scores' },
        {
          key: 'retrieval.denseWeight',
          label: 'Dense weight',
          value: String(retrieval.denseWeight),
        },
      );
    }
  }
  lines.push(
    { key: 'topK', label: 'Passages retrieved (top-k)', value: String(settings.topK) },
    { key: 'reranker', label: 'Reranker', value: settings.reranker ?? 'Off' },
    { key: 'languageModel', label: 'Language model', value: settings.languageModel },
    { key: 'sampling.temperature', label: 'Temperature', value: String(sampling.temperature) },
    { key: 'sampling.topP', label: 'Top-p', value: String(sampling.topP) },
    { key: 'sampling.seed', label: 'Seed', value: String(sampling.seed) },
    { key: 'sampling.maxTokens', label: 'Max tokens', value: String(sampling.maxTokens) },
  );
  return lines;
}

/**
 * The knowledge base changed since `kept` was stamped: a document was added, removed, renamed,
 * replaced, or embedded or chunked differently (see knowledgeBaseFingerprint), so the run's
 * retrieval figures may not hold for it any more.
 */
export function knowledgeBaseChanged(
  kept: KnowledgeBaseStamp,
  current: KnowledgeBaseStamp,
): boolean {
  return kept.fingerprint !== current.fingerprint;
}
