import {
  checkSupport,
  cosines,
  prepareSupport,
  planEmbedding,
  planSimilarity,
  supportThresholds,
  type SupportPassage,
  type SupportReport,
} from '../core/answers/support';
import { messageOf } from '../core/text/format';

/** Embeds texts alike with the knowledge base's model (the embed worker's 'embed-texts'). */
export type EmbedTexts = (
  texts: string[],
) => Promise<{ vectors: Float32Array; dimension: number; modelId: string }>;

export interface CheckedSupport extends SupportReport {
  /** How long the check took, embedding included. */
  ms: number;
  /** Why meaning could not be compared (the check then used words and details only). */
  lexicalReason?: string;
}

/** Passage sentences' vectors kept at most; a question's passages need about a hundred. */
const CACHE_LIMIT = 2_000;

/**
 * The answer inspector's check, as the app runs it after an answer: the passages' and the
 * answer's sentences embedded in the embed worker, then scored in core/answers/support. The two
 * answers of a question are checked against the same passages, so the passages' sentence
 * vectors are kept and only the second answer's own sentences are embedded for it.
 */
export class SupportChecker {
  #embed: EmbedTexts | null;
  #modelId: () => string | null;
  /** Passage sentences' vectors, by model and text. */
  #vectors = new Map<string, Float32Array>();

  /**
   * `embed` embeds texts with the knowledge base's model, whose id `modelId` gives (it decides
   * the thresholds, and so what needs embedding at all).
   */
  constructor(embed: EmbedTexts | null, modelId: () => string | null = () => null) {
    this.#embed = embed;
    this.#modelId = modelId;
  }

  async check(
    question: string,
    answer: string,
    passages: readonly SupportPassage[],
  ): Promise<CheckedSupport> {
    const started = performance.now();
    const prepared = prepareSupport(question, answer, passages);
    const lexical = (reason?: string): CheckedSupport => ({
      ...checkSupport(prepared, null, supportThresholds(null)),
      ms: performance.now() - started,
      ...(reason ? { lexicalReason: reason } : {}),
    });
    const model = this.#modelId();
    if (!this.#embed || !model) return lexical('No embedding model is loaded.');
    const thresholds = supportThresholds(model);
    if (thresholds.cosineWeight === 0) return lexical(`${model} is not calibrated for this check.`);
    // Only what meaning can change is embedded (often nothing).
    const plan = planEmbedding(prepared, thresholds);
    if (plan.claims.length === 0) {
      const decided = planSimilarity(prepared, plan, []);
      return { ...checkSupport(prepared, decided, thresholds), ms: performance.now() - started };
    }
    const keyOf = (text: string) => `${model}\n${text}`;
    const wanted = [...new Set(plan.unitTexts)].filter((text) => !this.#vectors.has(keyOf(text)));
    let embedded;
    try {
      embedded = await this.#embed([...plan.sentences, ...wanted]);
    } catch (error) {
      return lexical(`The embedding model could not embed the sentences: ${messageOf(error)}`);
    }
    const { vectors, dimension, modelId } = embedded;
    if (modelId !== model) return lexical(`The embedding model changed during the check.`);
    const row = (i: number) => vectors.slice(i * dimension, (i + 1) * dimension);
    const fresh = new Map(wanted.map((text, i) => [text, row(plan.sentences.length + i)]));
    const unitVectors = new Float32Array(plan.unitTexts.length * dimension);
    plan.unitTexts.forEach((text, i) => {
      const vector = fresh.get(text) ?? this.#vectors.get(keyOf(text));
      if (vector) unitVectors.set(vector, i * dimension);
    });
    if (this.#vectors.size + fresh.size > CACHE_LIMIT) this.#vectors.clear();
    for (const [text, vector] of fresh) this.#vectors.set(keyOf(text), vector);
    const similarity = planSimilarity(
      prepared,
      plan,
      cosines(vectors.subarray(0, plan.sentences.length * dimension), unitVectors, dimension),
    );
    return {
      ...checkSupport(prepared, similarity, thresholds),
      ms: performance.now() - started,
    };
  }
}
