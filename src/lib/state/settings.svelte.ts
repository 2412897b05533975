import {
  DEFAULT_CHUNKING,
  validateChunkingOptions,
  type ChunkingOptions,
} from '../core/text/chunking';
import { DEFAULT_EMBEDDING_MODEL, isValidModelId } from '../core/models/embedding-catalogue';
import { parseModelSource, type ModelSource } from '../core/models/model-source';
import type { BackendPreference } from '../workers/embed/protocol';
import { DEFAULT_SAMPLING, validateSampling, type Sampling } from '../core/answers/sampling';
import { parseGgufParam, type GgufModel } from '../core/models/gguf-catalogue';
import { DEFAULT_DENSE_WEIGHT, DEFAULT_RRF_K } from '../core/retrieval/fusion';
import { RETRIEVAL_MODES, type RetrievalMode } from '../core/retrieval/retrieval';
import { DEFAULT_RERANKER_MODEL } from '../core/models/rerank-catalogue';
import { decodeShareParams } from '../core/web/share-link';
import { WEB_LLM_MODELS } from '../core/models/web-llm-catalogue';
import { GGUF_MODELS } from '../core/models/gguf-catalogue';

/** How passages are found: see core/retrieval/retrieval.ts and core/retrieval/fusion.ts. */
export interface RetrievalPreferences {
  mode: RetrievalMode;
  fusion: 'rrf' | 'weighted';
  rrfK: number;
  /** Weighted fusion: the dense share, 0–1. */
  denseWeight: number;
}

export const DEFAULT_RETRIEVAL: RetrievalPreferences = {
  mode: 'hybrid',
  fusion: 'rrf',
  rrfK: DEFAULT_RRF_K,
  denseWeight: DEFAULT_DENSE_WEIGHT,
};

export function validRetrieval(value: Partial<RetrievalPreferences>): boolean {
  return (
    RETRIEVAL_MODES.includes(value.mode as RetrievalMode) &&
    (value.fusion === 'rrf' || value.fusion === 'weighted') &&
    Number.isFinite(value.rrfK) &&
    value.rrfK! >= 1 &&
    value.rrfK! <= 1000 &&
    Number.isFinite(value.denseWeight) &&
    value.denseWeight! >= 0 &&
    value.denseWeight! <= 1
  );
}

const STORAGE_KEY = 'grounded:settings';

export const DEFAULT_TOP_K = 5;

/** The largest document read, in MB (10^6 bytes): ingest/read-document's MAX_DOCUMENT_BYTES. */
export const DEFAULT_MAX_DOCUMENT_MB = 100;

export function validMaxDocumentMB(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 10_000;
}

interface Saved {
  embeddingModel?: string;
  chunking?: ChunkingOptions;
  topK?: number;
  backend?: BackendPreference;
  sampling?: Sampling;
  languageModel?: string;
  maxDocumentMB?: number;
  retrieval?: RetrievalPreferences;
  rerank?: boolean;
}

/** The person's settings, kept in localStorage; URL parameters override them for this visit. */
export class Settings {
  embeddingModel = $state(DEFAULT_EMBEDDING_MODEL);
  chunking = $state<ChunkingOptions>({ ...DEFAULT_CHUNKING });
  topK = $state(DEFAULT_TOP_K);
  backend = $state<BackendPreference>('auto');
  sampling = $state<Sampling>({ ...DEFAULT_SAMPLING });
  retrieval = $state<RetrievalPreferences>({ ...DEFAULT_RETRIEVAL });
  /** Rescore the retrieved passages with a cross-encoder (off by default: a download, and time). */
  rerank = $state(false);
  /** The cross-encoder; the `reranker=` parameter names another (and turns reranking on). */
  rerankModel = $state(DEFAULT_RERANKER_MODEL);
  /** The language model picked last (web-llm id or `gguf:` id); '' lets the app choose. */
  languageModel = $state('');
  /** Larger files are refused with a message saying so. */
  maxDocumentMB = $state(DEFAULT_MAX_DOCUMENT_MB);
  readonly modelSource: ModelSource;
  /** A GGUF model named by the `gguf=` parameter, offered beside the catalogue. */
  readonly extraGguf: GgufModel | undefined;
  /** Problems with the page's URL parameters, to show once. */
  readonly problems: string[] = [];
  #storage: Storage | undefined;
  #params: URLSearchParams;
  #ggufProblem: string | undefined;

  constructor(storage: Storage | undefined, url: URL) {
    this.#storage = storage;
    this.#params = url.searchParams;
    const saved = this.#load();
    if (saved.embeddingModel && isValidModelId(saved.embeddingModel)) {
      this.embeddingModel = saved.embeddingModel;
    }
    if (saved.chunking && validateChunkingOptions(saved.chunking) === null) {
      this.chunking = saved.chunking;
    }
    if (saved.topK && Number.isInteger(saved.topK) && saved.topK > 0) this.topK = saved.topK;
    if (saved.backend) this.backend = saved.backend;
    if (saved.sampling && validateSampling(saved.sampling) === null) {
      this.sampling = saved.sampling;
    }
    if (typeof saved.languageModel === 'string') this.languageModel = saved.languageModel;
    if (validMaxDocumentMB(saved.maxDocumentMB)) this.maxDocumentMB = saved.maxDocumentMB;
    if (saved.retrieval && validRetrieval(saved.retrieval)) this.retrieval = saved.retrieval;
    if (typeof saved.rerank === 'boolean') this.rerank = saved.rerank;

    const params = url.searchParams;
    this.modelSource = parseModelSource(params.get('models'));
    if (this.modelSource.problem) this.problems.push(this.modelSource.problem);
    const gguf = params.get('gguf');
    const extra = gguf === null ? undefined : parseGgufParam(gguf);
    this.#ggufProblem = extra && 'problem' in extra ? extra.problem : undefined;
    this.extraGguf = extra && !('problem' in extra) ? extra : undefined;
    this.#applyParams(this.problems);
  }

  /**
   * Every setting back to its default, saved, then this visit's URL parameters applied again
   * (as at the page's start, without saving them). The language model picked is kept: it names
   * a download, which a reset of the demo keeps, and may be the one loaded.
   */
  reset(): void {
    const languageModel = this.languageModel;
    this.embeddingModel = DEFAULT_EMBEDDING_MODEL;
    this.chunking = { ...DEFAULT_CHUNKING };
    this.topK = DEFAULT_TOP_K;
    this.backend = 'auto';
    this.sampling = { ...DEFAULT_SAMPLING };
    this.retrieval = { ...DEFAULT_RETRIEVAL };
    this.rerank = false;
    this.rerankModel = DEFAULT_RERANKER_MODEL;
    this.maxDocumentMB = DEFAULT_MAX_DOCUMENT_MB;
    this.languageModel = languageModel;
    this.save();
    // Their problems were shown at the start.
    this.#applyParams([]);
    this.languageModel = languageModel;
  }

  /** The page's URL parameters, which override the saved settings for this visit. */
  #applyParams(problems: string[]): void {
    const params = this.#params;
    const embedder = params.get('embedder');
    if (embedder !== null) {
      if (isValidModelId(embedder)) this.embeddingModel = embedder;
      else
        problems.push(`The embedder= parameter “${embedder}” is not a model id like owner/name.`);
    }
    const maxSize = params.get('maxsize');
    if (maxSize !== null) {
      if (validMaxDocumentMB(Number(maxSize))) this.maxDocumentMB = Number(maxSize);
      else
        problems.push(
          `The maxsize= parameter “${maxSize}” is not a size in MB between 0 and 10000.`,
        );
    }
    const backend = params.get('backend');
    if (backend === 'wasm' || backend === 'webgpu' || backend === 'auto') this.backend = backend;
    const reranker = params.get('reranker');
    if (reranker !== null) {
      if (isValidModelId(reranker)) {
        this.rerankModel = reranker;
        this.rerank = true;
      } else {
        problems.push(`The reranker= parameter “${reranker}” is not a model id like owner/name.`);
      }
    }
    const retrieval = params.get('retrieval');
    if (retrieval !== null) {
      if (RETRIEVAL_MODES.includes(retrieval as RetrievalMode)) {
        this.retrieval = { ...this.retrieval, mode: retrieval as RetrievalMode };
      } else {
        problems.push(
          `The retrieval= parameter “${retrieval}” is not one of ${RETRIEVAL_MODES.join(', ')}.`,
        );
      }
    }
    if (this.#ggufProblem) problems.push(this.#ggufProblem);
    if (this.extraGguf) this.languageModel = this.extraGguf.id;
    this.#applyShared(params, problems);
  }

  /** A workshop link's parameters (core/web/share-link.ts), for this visit only, like the rest. */
  #applyShared(params: URLSearchParams, problems: string[]): void {
    const known = (id: string) =>
      WEB_LLM_MODELS.some((m) => m.id === id) || GGUF_MODELS.some((m) => m.id === id);
    const shared = decodeShareParams(params, known);
    problems.push(...shared.problems);
    if (shared.languageModel && !this.extraGguf) this.languageModel = shared.languageModel;
    if (shared.topK !== undefined) this.topK = shared.topK;
    const { fusion, rrfK, denseWeight } = shared;
    this.retrieval = {
      ...this.retrieval,
      ...(fusion !== undefined && { fusion }),
      ...(rrfK !== undefined && { rrfK }),
      ...(denseWeight !== undefined && { denseWeight }),
    };
    this.sampling = { ...this.sampling, ...shared.sampling };
  }

  /** The embedding model for documents added from now on (see GroundedApp.modelMismatch). */
  setEmbeddingModel(id: string): void {
    this.embeddingModel = id;
    this.save();
  }

  setBackend(backend: BackendPreference): void {
    this.backend = backend;
    this.save();
  }

  /** Applies and saves valid chunking options; returns false, changing nothing, otherwise. */
  setChunking(chunking: ChunkingOptions): boolean {
    if (validateChunkingOptions(chunking) !== null) return false;
    this.chunking = { ...chunking };
    this.save();
    return true;
  }

  /** Applies and saves a whole number of passages from 1 to 50; returns false otherwise. */
  setTopK(k: number): boolean {
    if (!Number.isInteger(k) || k < 1 || k > 50) return false;
    this.topK = k;
    this.save();
    return true;
  }

  /** Applies and saves a valid largest document size; returns false otherwise. */
  setMaxDocumentMB(mb: number): boolean {
    if (!validMaxDocumentMB(mb)) return false;
    this.maxDocumentMB = mb;
    this.save();
    return true;
  }

  /** Changes some retrieval preferences; applied and saved only if the result is valid. */
  setRetrieval(change: Partial<RetrievalPreferences>): boolean {
    const next = { ...this.retrieval, ...change };
    if (!validRetrieval(next)) return false;
    this.retrieval = next;
    this.save();
    return true;
  }

  save(): void {
    const value: Saved = {
      embeddingModel: this.embeddingModel,
      chunking: $state.snapshot(this.chunking),
      topK: this.topK,
      backend: this.backend,
      sampling: $state.snapshot(this.sampling),
      languageModel: this.languageModel,
      maxDocumentMB: this.maxDocumentMB,
      retrieval: $state.snapshot(this.retrieval),
      rerank: this.rerank,
    };
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch {
      // Private browsing or a full quota: settings then last for this visit only.
    }
  }

  #load(): Saved {
    try {
      const raw = this.#storage?.getItem(STORAGE_KEY);
      return raw ? (JSON.parse(raw) as Saved) : {};
    } catch {
      return {};
    }
  }
}
