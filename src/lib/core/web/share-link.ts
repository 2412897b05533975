/**
 * Workshop links: the configuration a room should start from, as URL parameters of the app's own
 * address. A link carries settings only — model ids, retrieval and sampling numbers, the model
 * source — never a document, a question, an answer or a local file name.
 *
 * Parameters (all optional; the app's defaults apply to the rest):
 *   models=<url>          model mirror (read by core/models/model-source.ts)
 *   embedder=<owner/name> embedding model
 *   reranker=<owner/name> cross-encoder; present means reranking is on
 *   llm=<id>              a language model of the app's catalogue (web-llm id or gguf:<repo>/<file>)
 *   gguf=<repo>/<file>    a GGUF outside the catalogue (read by core/models/gguf-catalogue.ts)
 *   retrieval=hybrid|dense|keyword, fusion=rrf|weighted, rrf_k=<1–1000>, dense_weight=<0–1>
 *   topk=<1–50>, temperature=<0–2>, top_p=<0.05–1>, seed=<0–2147483647>, max_tokens=<16–4096>
 */

import { SAMPLING_LIMITS, type Sampling } from '../answers/sampling';

export const TOP_K_LIMITS = { min: 1, max: 50 } as const;
export const RRF_K_LIMITS = { min: 1, max: 1000 } as const;

export type ShareRetrievalMode = 'hybrid' | 'dense' | 'keyword';

/** Everything a link can carry. */
export interface SharedSettings {
  /** Mirror base URL; undefined means the Hugging Face hub. */
  modelSource?: string | undefined;
  embedder: string;
  /** The cross-encoder when reranking is on; undefined when it is off. */
  reranker?: string | undefined;
  /** The language model, by how the link names it. */
  languageModel?: { kind: 'catalogue'; id: string } | { kind: 'gguf'; path: string } | undefined;
  retrieval: {
    mode: ShareRetrievalMode;
    fusion: 'rrf' | 'weighted';
    rrfK: number;
    denseWeight: number;
  };
  topK: number;
  sampling: Sampling;
}

/** The link: `base` (the app's address, whose own query and fragment are dropped) with `settings`. */
export function encodeShareLink(base: string, settings: SharedSettings): string {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  const p = url.searchParams;
  if (settings.modelSource) p.set('models', settings.modelSource);
  p.set('embedder', settings.embedder);
  if (settings.reranker) p.set('reranker', settings.reranker);
  const llm = settings.languageModel;
  if (llm?.kind === 'catalogue') p.set('llm', llm.id);
  if (llm?.kind === 'gguf') p.set('gguf', llm.path);
  const { mode, fusion, rrfK, denseWeight } = settings.retrieval;
  p.set('retrieval', mode);
  // Fusion only means something in hybrid search; other modes leave it out of the link.
  if (mode === 'hybrid') {
    p.set('fusion', fusion);
    if (fusion === 'rrf') p.set('rrf_k', String(rrfK));
    else p.set('dense_weight', String(denseWeight));
  }
  p.set('topk', String(settings.topK));
  p.set('temperature', String(settings.sampling.temperature));
  p.set('top_p', String(settings.sampling.topP));
  p.set('seed', String(settings.sampling.seed));
  p.set('max_tokens', String(settings.sampling.maxTokens));
  return url.href;
}

/** What the link parameters this module owns say; each bad value is left out with a problem. */
export interface DecodedShareParams {
  languageModel?: string;
  topK?: number;
  fusion?: 'rrf' | 'weighted';
  rrfK?: number;
  denseWeight?: number;
  sampling: Partial<Sampling>;
  /** One sentence per bad parameter, naming it, its value and what it should be. */
  problems: string[];
}

/**
 * Reads `llm`, `topk`, `fusion`, `rrf_k`, `dense_weight`, `temperature`, `top_p`, `seed` and
 * `max_tokens` (the rest are read where they always were: settings.svelte.ts). `isKnownModel`
 * says whether an `llm=` id is one the app offers.
 */
export function decodeShareParams(
  params: URLSearchParams,
  isKnownModel: (id: string) => boolean,
): DecodedShareParams {
  const decoded: DecodedShareParams = { sampling: {}, problems: [] };
  const problem = (name: string, value: string, expected: string) =>
    decoded.problems.push(
      `The ${name}= parameter “${value}” is not ${expected}, so it was ignored.`,
    );

  const llm = params.get('llm');
  if (llm !== null) {
    if (isKnownModel(llm)) decoded.languageModel = llm;
    else problem('llm', llm, 'a language model this app offers');
  }

  const topK = params.get('topk');
  if (topK !== null) {
    const k = wholeNumber(topK, TOP_K_LIMITS);
    if (k === undefined) problem('topk', topK, 'a whole number from 1 to 50');
    else decoded.topK = k;
  }

  const fusion = params.get('fusion');
  if (fusion !== null) {
    if (fusion === 'rrf' || fusion === 'weighted') decoded.fusion = fusion;
    else problem('fusion', fusion, 'rrf or weighted');
  }
  const rrfK = params.get('rrf_k');
  if (rrfK !== null) {
    const k = number(rrfK, RRF_K_LIMITS);
    if (k === undefined) problem('rrf_k', rrfK, 'a number from 1 to 1000');
    else decoded.rrfK = k;
  }
  const denseWeight = params.get('dense_weight');
  if (denseWeight !== null) {
    const w = number(denseWeight, { min: 0, max: 1 });
    if (w === undefined) problem('dense_weight', denseWeight, 'a number from 0 to 1');
    else decoded.denseWeight = w;
  }

  const temperature = params.get('temperature');
  if (temperature !== null) {
    const t = number(temperature, SAMPLING_LIMITS.temperature);
    if (t === undefined) problem('temperature', temperature, 'a number from 0 to 2');
    else decoded.sampling.temperature = t;
  }
  const topP = params.get('top_p');
  if (topP !== null) {
    const p = number(topP, SAMPLING_LIMITS.topP);
    if (p === undefined) problem('top_p', topP, 'a number from 0.05 to 1');
    else decoded.sampling.topP = p;
  }
  const seed = params.get('seed');
  if (seed !== null) {
    const s = wholeNumber(seed, SAMPLING_LIMITS.seed);
    if (s === undefined) problem('seed', seed, 'a whole number from 0 to 2147483647');
    else decoded.sampling.seed = s;
  }
  const maxTokens = params.get('max_tokens');
  if (maxTokens !== null) {
    const m = wholeNumber(maxTokens, SAMPLING_LIMITS.maxTokens);
    if (m === undefined) problem('max_tokens', maxTokens, 'a whole number from 16 to 4096');
    else decoded.sampling.maxTokens = m;
  }
  return decoded;
}

/** A plain decimal number within limits; '', 'Infinity', '0x10' and '1e3' are not. */
function number(text: string, { min, max }: { min: number; max: number }): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function wholeNumber(text: string, limits: { min: number; max: number }): number | undefined {
  const value = number(text, limits);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

/**
 * How a link names the language model `id` (loaded, else picked): a catalogue id as `llm=`, the
 * `gguf=` model as `gguf=`, and a file from disk (`file:` ids) not at all — its name is the
 * person's own, and nobody else has the file.
 */
export function linkLanguageModel(
  id: string | undefined,
  isCatalogue: (id: string) => boolean,
  extraGguf?: { id: string; repo: string; file: string },
): SharedSettings['languageModel'] | 'local-file' {
  if (!id) return undefined;
  if (id.startsWith('file:')) return 'local-file';
  if (extraGguf && id === extraGguf.id) {
    return { kind: 'gguf', path: `${extraGguf.repo}/${extraGguf.file}` };
  }
  return isCatalogue(id) ? { kind: 'catalogue', id } : undefined;
}
