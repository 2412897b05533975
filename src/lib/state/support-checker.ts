import {
  checkSupport,
  cosines,
  prepareSupport,
  supportThresholds,
  textsToEmbed,
  type SupportPassage,
  type SupportReport,
} from '../core/answers/support';
import type { Passage } from '../core/kb/documents';
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
  /** Passage sentences' vectors by model and text, of the model `#model`. */
  #vectors = new Map<string, Float32Array>();
  #model: string | null = null;

  constructor(embed: EmbedTexts | null) {
    this.#embed = embed;
  }

  async check(
    question: string,
    answer: string,
    passages: readonly SupportPassage[],
  ): Promise<CheckedSupport> {
    const started = performance.now();
    const prepared = prepareSupport(question, answer, passages);
    const lexical = (reason: string): CheckedSupport => ({
      ...checkSupport(prepared, null, supportThresholds(null)),
      ms: performance.now() - started,
      lexicalReason: reason,
    });
    if (!this.#embed) return lexical('No embedding model is loaded.');
    const { sentences, units } = textsToEmbed(prepared);
    if (sentences.length === 0 || units.length === 0) {
      return { ...checkSupport(prepared, null, supportThresholds(null)), ms: 0 };
    }
    // Passage sentences already embedded (by the model of the last check) are not again.
    const unique = [...new Set(units)];
    const uncached = (model: string | null) =>
      unique.filter((text) => !this.#vectors.has(`${model}\n${text}`));
    let wanted = uncached(this.#model);
    let vectors: Float32Array;
    let dimension: number;
    let modelId: string;
    try {
      ({ vectors, dimension, modelId } = await this.#embed([...sentences, ...wanted]));
      if (modelId !== this.#model) {
        // The model changed since: what was kept is of no use.
        this.#vectors.clear();
        this.#model = modelId;
        const rest = uncached(modelId).filter((text) => !wanted.includes(text));
        if (rest.length > 0) {
          const more = await this.#embed(rest);
          const joined = new Float32Array(vectors.length + more.vectors.length);
          joined.set(vectors);
          joined.set(more.vectors, vectors.length);
          vectors = joined;
          wanted = [...wanted, ...rest];
        }
      }
    } catch (error) {
      return lexical(`The embedding model could not embed the sentences: ${messageOf(error)}`);
    }
    const keyOf = (text: string) => `${modelId}\n${text}`;
    const fresh = new Map(
      wanted.map((text, i) => {
        const row = sentences.length + i;
        return [text, vectors.slice(row * dimension, (row + 1) * dimension)] as const;
      }),
    );
    const unitVectors = new Float32Array(units.length * dimension);
    units.forEach((text, i) => {
      const vector = fresh.get(text) ?? this.#vectors.get(keyOf(text));
      if (vector) unitVectors.set(vector, i * dimension);
    });
    if (this.#vectors.size + fresh.size > CACHE_LIMIT) this.#vectors.clear();
    for (const [text, vector] of fresh) this.#vectors.set(keyOf(text), vector);
    const thresholds = supportThresholds(modelId);
    if (thresholds.cosineWeight === 0) {
      return lexical(`${modelId} is not calibrated for this check.`);
    }
    const similarity = cosines(
      vectors.subarray(0, sentences.length * dimension),
      unitVectors,
      dimension,
    );
    return {
      ...checkSupport(prepared, similarity, thresholds),
      ms: performance.now() - started,
    };
  }
}

/**
 * Passages as the check reads them: numbered as the answer cites them (the grounded prompt's
 * numbers, 1 up) or, for an answer that cites nothing, by their rank.
 */
export function supportPassages(
  passages: readonly Passage[],
  numbering: 'prompt' | 'rank',
): SupportPassage[] {
  return passages.map((p, i) => ({
    number: numbering === 'prompt' ? i + 1 : p.rank,
    text: p.text,
    source: [p.docName, ...p.headingPath].join(' › '),
  }));
}
