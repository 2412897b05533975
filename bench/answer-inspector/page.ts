/**
 * The answer inspector benchmark page: `window.bench(request)` starts the app's own embedding
 * worker, loads a model from the mirror on WASM, then times the app's SupportChecker as Ask runs
 * it after an answer: a first answer, whose passages' sentences are all embedded, then the
 * question's other answer, which reuses them; and the check by words and details alone.
 */
import { embeddingModelSpec } from '../../src/lib/core/models/embedding-catalogue';
import {
  checkSupport,
  fullSimilarity,
  prepareSupport,
  supportThresholds,
  type SupportPassage,
} from '../../src/lib/core/answers/support';
import { SupportChecker } from '../../src/lib/state/support-checker';
import { startEmbedWorker } from '../../src/lib/workers/embed/client';

export interface InspectorRequest {
  model: string;
  remoteHost: string;
  question: string;
  /** The question's two answers: the first checked with nothing kept, the second after it. */
  answers: [string, string];
  passages: SupportPassage[];
  rounds: number;
}

export interface InspectorResult {
  backend: string;
  /**
   * Per round, in ms: first answer (nothing kept), second answer (passages kept), words only, and
   * the worst case: every claim and passage sentence embedded (all of them undecided by words).
   */
  first: number[];
  everything: number[];
  second: number[];
  lexical: number[];
  sentences: number;
  levels: Record<string, number>;
}

async function bench(request: InspectorRequest): Promise<InspectorResult> {
  const embed = startEmbedWorker((error) => console.error(error.message));
  const loaded = await embed.call('load', {
    model: embeddingModelSpec(request.model),
    backend: 'wasm',
    remoteHost: request.remoteHost,
  });
  const embedTexts = (texts: string[]) => embed.call('embed-texts', { texts });
  const { question, passages } = request;
  const [answer, other] = request.answers;
  // Warm-up: the first inference of a session compiles and allocates.
  await new SupportChecker(embedTexts, () => request.model).check(question, answer, passages);
  const result: InspectorResult = {
    backend: loaded.backend,
    first: [],
    everything: [],
    second: [],
    lexical: [],
    sentences: 0,
    levels: {},
  };
  for (let round = 0; round < request.rounds; round++) {
    const checker = new SupportChecker(embedTexts, () => request.model);
    let started = performance.now();
    const report = await checker.check(question, answer, passages);
    result.first.push(performance.now() - started);
    if (!report.semantic) throw new Error(`Checked without meaning: ${report.lexicalReason}`);
    started = performance.now();
    await checker.check(question, other, passages);
    result.second.push(performance.now() - started);
    started = performance.now();
    await new SupportChecker(null).check(question, answer, passages);
    result.lexical.push(performance.now() - started);
    started = performance.now();
    const prepared = prepareSupport(question, answer, passages);
    const every = async (texts: string[]) => (await embedTexts(texts)).vectors;
    checkSupport(prepared, await fullSimilarity(prepared, every), supportThresholds(request.model));
    result.everything.push(performance.now() - started);
    result.sentences = report.summary.sentences;
    result.levels = {
      supported: report.summary.supported,
      partial: report.summary.partial,
      missing: report.summary.missing,
    };
  }
  return result;
}

(window as unknown as { bench: typeof bench }).bench = bench;
document.title = 'ready';
