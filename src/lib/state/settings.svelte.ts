import { DEFAULT_CHUNKING, validateChunkingOptions, type ChunkingOptions } from '../core/chunking';
import { DEFAULT_EMBEDDING_MODEL, isValidModelId } from '../engines/embedding/catalogue';
import { parseModelSource, type ModelSource } from '../core/model-source';
import type { BackendPreference } from '../workers/embed-protocol';
import { DEFAULT_SAMPLING, validateSampling, type Sampling } from '../core/sampling';
import { parseGgufParam, type GgufModel } from '../engines/llm/gguf-catalogue';

const STORAGE_KEY = 'grounded:settings';

export const DEFAULT_TOP_K = 5;

interface Saved {
  embeddingModel?: string;
  chunking?: ChunkingOptions;
  topK?: number;
  backend?: BackendPreference;
  sampling?: Sampling;
  languageModel?: string;
}

/** The person's settings, kept in localStorage; URL parameters override them for this visit. */
export class Settings {
  embeddingModel = $state(DEFAULT_EMBEDDING_MODEL);
  chunking = $state<ChunkingOptions>({ ...DEFAULT_CHUNKING });
  topK = $state(DEFAULT_TOP_K);
  backend = $state<BackendPreference>('auto');
  sampling = $state<Sampling>({ ...DEFAULT_SAMPLING });
  /** The language model picked last (web-llm id or `gguf:` id); '' lets the app choose. */
  languageModel = $state('');
  readonly modelSource: ModelSource;
  /** A GGUF model named by the `gguf=` parameter, offered beside the catalogue. */
  readonly extraGguf: GgufModel | undefined;
  /** Problems with the page's URL parameters, to show once. */
  readonly problems: string[] = [];
  #storage: Storage | undefined;

  constructor(storage: Storage | undefined, url: URL) {
    this.#storage = storage;
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

    const params = url.searchParams;
    this.modelSource = parseModelSource(params.get('models'));
    if (this.modelSource.problem) this.problems.push(this.modelSource.problem);
    const embedder = params.get('embedder');
    if (embedder !== null) {
      if (isValidModelId(embedder)) this.embeddingModel = embedder;
      else
        this.problems.push(
          `The embedder= parameter “${embedder}” is not a model id like owner/name.`,
        );
    }
    const backend = params.get('backend');
    if (backend === 'wasm' || backend === 'webgpu' || backend === 'auto') this.backend = backend;
    const gguf = params.get('gguf');
    const extra = gguf === null ? undefined : parseGgufParam(gguf);
    if (extra && 'problem' in extra) this.problems.push(extra.problem);
    this.extraGguf = extra && !('problem' in extra) ? extra : undefined;
    if (this.extraGguf) this.languageModel = this.extraGguf.id;
  }

  save(): void {
    const value: Saved = {
      embeddingModel: this.embeddingModel,
      chunking: $state.snapshot(this.chunking),
      topK: this.topK,
      backend: this.backend,
      sampling: $state.snapshot(this.sampling),
      languageModel: this.languageModel,
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
