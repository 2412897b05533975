/**
 * The answer inspector's check: each sentence of an answer set against the passages, and marked
 * supported, partly supported or not found in them; each citation checked against the passage it
 * names; and each exact detail (number, date, amount, code, name) looked up in every passage.
 *
 * How a sentence is scored against a stretch of passage (one sentence, or two in a row):
 * - **Lexical coverage**: the share of the sentence's content words (stop words out, stemmed, as
 *   keyword search reads them) that the stretch contains, weighted so the words that carry the
 *   claim count most: words inside a detail count DETAIL_WEIGHT, words of the question only
 *   QUESTION_WEIGHT — a passage that repeats the question does not support an answer to it.
 * - **Meaning**: the cosine of the two sentences' embeddings, with the knowledge base's own
 *   embedding model (computed by the caller; without it the check is lexical only).
 * - **Details**: the share of the sentence's details that appear in no passage at all.
 *
 * score = w·cosine + (1 − w)·coverage − penalty·(share of details in no passage), and the best
 * stretch over all passages decides: score ≥ supported → supported, ≥ partial → partly
 * supported, else not found. A sentence with a detail in no passage is never "supported". The
 * weights and thresholds are calibrated on labelled answer sentences (scripts/calibrate-support.ts,
 * BENCHMARKS.md); this file takes them as given.
 *
 * It matches words, meaning and exact details against the passages. It cannot tell whether a
 * claim is true in the world, nor follow reasoning across passages.
 */

import type { Passage } from '../kb/documents';
import { tokenize } from '../retrieval/analyzer';
import { normaliseForMatching } from '../eval/facts';
import { findCitations } from './citations';
import { extractDetails, type Detail } from './details';
import { declinesToAnswer } from './prompt';
import { splitSentences, type SentenceKind } from './sentences';
import { SUPPORT_CALIBRATION } from './support-calibration';

export type SupportLevel = 'supported' | 'partial' | 'missing' | 'none';

/**
 * Passages as the check reads them: numbered as the answer cites them (the grounded prompt's
 * numbers, 1 up) or, for an answer that cites nothing, by their rank (a run's passages, which
 * have none, are in rank order).
 */
export function supportPassages(
  passages: readonly (Pick<Passage, 'docName' | 'headingPath' | 'text'> & { rank?: number })[],
  numbering: 'prompt' | 'rank',
): SupportPassage[] {
  return passages.map((p, i) => ({
    number: numbering === 'rank' ? (p.rank ?? i + 1) : i + 1,
    text: p.text,
    source: [p.docName, ...p.headingPath].join(' › '),
  }));
}

/** A passage as the check reads it. */
export interface SupportPassage {
  /** The number the answer cites it by ([1] is 1). */
  number: number;
  text: string;
  /** Where it comes from (document name, headings): details may be stated there too. */
  source?: string;
}

/** Weights and thresholds, calibrated per embedding model (support-calibration.ts). */
export interface SupportThresholds {
  /** The cosine's weight in the score, 0–1; 0 without embeddings. */
  cosineWeight: number;
  /** Subtracted once for a sentence all of whose details are in no passage. */
  detailPenalty: number;
  /** Score from which a sentence is partly supported. */
  partial: number;
  /** Score from which a sentence is supported. */
  supported: number;
}

/**
 * The calibrated thresholds for vectors of `modelId`; words and details only (cosineWeight 0)
 * for no model or one that was not calibrated.
 */
export function supportThresholds(modelId: string | null): SupportThresholds {
  return (
    (modelId !== null ? SUPPORT_CALIBRATION.models[modelId] : undefined) ??
    SUPPORT_CALIBRATION.lexical
  );
}

export const DETAIL_WEIGHT = 2;
export const QUESTION_WEIGHT = 0.25;

/** A span of a passage's text: passage is an index into the passages given. */
export interface Evidence {
  passage: number;
  start: number;
  end: number;
  /** It is the passage's source (document name and headings), not its text: start = end = 0. */
  heading?: true;
}

export interface CitationVerdict {
  number: number;
  /** The cited passage supports the sentence, at least in part. */
  holds: boolean;
}

export interface SentenceSupport {
  /** answer.slice(start, end). */
  text: string;
  start: number;
  end: number;
  kind: SentenceKind;
  level: SupportLevel;
  /** The best score over the passages (−Infinity for 'none'). */
  score: number;
  cosine: number | null;
  coverage: number;
  /** Where the passages come closest to saying it; null for 'missing' and 'none'. */
  evidence: Evidence | null;
  /** Its details that appear in no passage, offsets into the answer. */
  unfoundDetails: Detail[];
  /** Each passage it cites, and whether that passage supports it. */
  citations: CitationVerdict[];
}

export interface SupportSummary {
  sentences: number;
  supported: number;
  partial: number;
  missing: number;
  /** Citations (sentence, passage pairs) of passages that exist, and how many hold. */
  citations: number;
  citationsHolding: number;
  unfoundDetails: number;
}

export interface SupportReport {
  sentences: SentenceSupport[];
  summary: SupportSummary;
  /** Whether meaning (embeddings) was used, or words and details only. */
  semantic: boolean;
}

/** A sentence or passage stretch as scored: its weighted terms. */
interface Unit {
  passage: number;
  start: number;
  end: number;
  text: string;
  terms: Set<string>;
  /** Its text normalised as facts are, padded with spaces, to find details in. */
  normalised: string;
  /** The passage's source line (document and headings), which the prompt shows above it. */
  heading?: true;
}

interface AnswerSentence {
  text: string;
  start: number;
  end: number;
  kind: SentenceKind;
  /** The text without citations and Markdown emphasis: what is embedded. */
  plain: string;
  /** Term → weight, for the words outside details. */
  weights: Map<string, number>;
  details: Detail[];
  /** Each detail normalised as facts are, padded with spaces, and its weight. */
  detailKeys: { key: string; weight: number }[];
  cited: number[];
  claim: boolean;
}

/** An answer and passages read once: the texts to embed, and what scoring needs. */
export interface PreparedSupport {
  sentences: AnswerSentence[];
  /** Each passage's sentences, in passage order. */
  units: Unit[];
  passages: readonly SupportPassage[];
  /** Each passage's text (source included), normalised as facts are, padded with spaces. */
  lookup: string[];
}

/** The answer's sentences and the passages' sentences, read for scoring. */
export function prepareSupport(
  question: string,
  answer: string,
  passages: readonly SupportPassage[],
): PreparedSupport {
  const questionTerms = new Set(tokenize(question).map((t) => t.term));
  const sentences = splitSentences(answer).map((sentence): AnswerSentence => {
    const details = extractDetails(sentence.text);
    const plain = plainText(sentence.text);
    const weights = new Map<string, number>();
    for (const token of tokenize(sentence.text)) {
      if (isCitationNumber(sentence.text, token.start)) continue;
      // A detail's words are looked up as the detail, whole, however a passage writes it.
      if (details.some((d) => token.start < d.end && d.start < token.end)) continue;
      const weight = questionTerms.has(token.term) ? QUESTION_WEIGHT : 1;
      weights.set(token.term, Math.max(weights.get(token.term) ?? 0, weight));
    }
    const normalisedQuestion = ` ${normaliseForMatching(question)} `;
    const detailKeys = details.map((d) => {
      const key = ` ${normaliseForMatching(d.text)} `;
      return { key, weight: normalisedQuestion.includes(key) ? QUESTION_WEIGHT : DETAIL_WEIGHT };
    });
    const cited = new Set<number>();
    for (const match of findCitations(sentence.text)) for (const n of match.numbers) cited.add(n);
    return {
      text: sentence.text,
      start: sentence.start,
      end: sentence.end,
      kind: sentence.kind,
      plain,
      weights,
      details: details.map((d) => ({
        ...d,
        start: d.start + sentence.start,
        end: d.end + sentence.start,
      })),
      detailKeys,
      cited: [...cited].sort((a, b) => a - b),
      // A claim says something in words: "12." or "1.1.1.1" alone (list numbers a small model
      // writes line after line) says nothing.
      claim:
        /\p{L}/u.test(plain) &&
        weights.size + details.length > 0 &&
        !declinesToAnswer(sentence.text) &&
        !isQuestion(plain),
    };
  });
  const units: Unit[] = [];
  passages.forEach((passage, index) => {
    for (const s of splitSentences(passage.text)) {
      units.push({
        passage: index,
        start: s.start,
        end: s.end,
        text: plainText(s.text),
        terms: new Set(tokenize(s.text).map((t) => t.term)),
        normalised: ` ${normaliseForMatching(s.text)} `,
      });
    }
    // The prompt shows each passage under its source; a model may repeat it.
    if (passage.source) {
      units.push({
        passage: index,
        start: 0,
        end: 0,
        text: passage.source,
        terms: new Set(tokenize(passage.source).map((t) => t.term)),
        normalised: ` ${normaliseForMatching(passage.source)} `,
        heading: true,
      });
    }
  });
  const lookup = passages.map((p) => ` ${normaliseForMatching(`${p.source ?? ''}\n${p.text}`)} `);
  return { sentences, units, passages, lookup };
}

/** What the caller embeds: the answer's claims, then every passage sentence. */
export function textsToEmbed(prepared: PreparedSupport): { sentences: string[]; units: string[] } {
  return {
    sentences: prepared.sentences.filter((s) => s.claim).map((s) => s.plain),
    units: prepared.units.map((u) => u.text),
  };
}

/**
 * Cosines of each of `a`'s rows with each of `b`'s (unit vectors, row-major, `dimension` wide):
 * result[i][j] = a_i · b_j.
 */
export function cosines(a: Float32Array, b: Float32Array, dimension: number): number[][] {
  const rows = a.length / dimension;
  const cols = b.length / dimension;
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: number[] = new Array<number>(cols);
    for (let j = 0; j < cols; j++) {
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += a[i * dimension + k]! * b[j * dimension + k]!;
      row[j] = dot;
    }
    out.push(row);
  }
  return out;
}

/**
 * Every claim × passage-sentence cosine: textsToEmbed's texts, claims first, embedded by `embed`
 * as unit vectors. Null when there is no claim or no passage sentence to compare.
 */
export async function fullSimilarity(
  prepared: PreparedSupport,
  embed: (texts: string[]) => Promise<Float32Array>,
): Promise<number[][] | null> {
  const { sentences, units } = textsToEmbed(prepared);
  if (sentences.length === 0 || units.length === 0) return null;
  const vectors = await embed([...sentences, ...units]);
  const dimension = vectors.length / (sentences.length + units.length);
  const split = sentences.length * dimension;
  return cosines(vectors.subarray(0, split), vectors.subarray(split), dimension);
}

/**
 * Each sentence's support. `similarity` is the claims × passage-sentences cosines (textsToEmbed's
 * sentences × units, or planSimilarity's, NaN where not embedded), or null for a check by words
 * and details only.
 */
export function checkSupport(
  prepared: PreparedSupport,
  similarity: readonly (readonly number[])[] | null,
  thresholds: SupportThresholds,
): SupportReport {
  const { passages, lookup } = prepared;
  const weight = similarity ? thresholds.cosineWeight : 0;
  const stretchList = stretchesOf(prepared.units);
  let claimIndex = 0;
  const sentences = prepared.sentences.map((sentence): SentenceSupport => {
    const base = {
      text: sentence.text,
      start: sentence.start,
      end: sentence.end,
      kind: sentence.kind,
    };
    if (!sentence.claim) {
      return {
        ...base,
        level: 'none',
        score: -Infinity,
        cosine: null,
        coverage: 0,
        evidence: null,
        unfoundDetails: [],
        citations: [],
      };
    }
    const row = similarity?.[claimIndex++] ?? null;
    const unfoundDetails = detailsInNoPassage(sentence, lookup);
    const { penalty, total } = weighing(sentence, unfoundDetails.length, thresholds);
    // Each stretch's cosine: the larger of its sentences' where embedded; where neither was
    // (planEmbedding found it cannot change the verdict), its coverage stands in.
    const cosineOf = (stretch: Stretch, coverage: number): number | null => {
      if (!row) return null;
      const values = stretch.units
        .map((u) => row[u])
        .filter((v): v is number => Number.isFinite(v));
      return values.length > 0 ? Math.max(...values) : coverage;
    };
    const bestOf = new Map<number, Scored>();
    for (const stretch of stretchList) {
      const coverage = covered(sentence, stretch.unit) / total;
      const cosine = cosineOf(stretch, coverage);
      const score = weight * (cosine ?? 0) + (1 - weight) * coverage - penalty;
      const passage = stretch.unit.passage;
      const best = bestOf.get(passage);
      // Ties go to the shorter stretch: the tighter evidence.
      const tie = best !== undefined && Math.abs(score - best.score) <= 1e-9;
      if (
        !best ||
        score > best.score + 1e-9 ||
        (tie && stretch.unit.end - stretch.unit.start < best.unit.end - best.unit.start)
      ) {
        bestOf.set(passage, {
          score,
          cosine: row && stretch.units.some((u) => Number.isFinite(row[u])) ? cosine : null,
          coverage,
          unit: stretch.unit,
        });
      }
    }
    let best: Scored | undefined;
    for (const scored of bestOf.values()) if (!best || scored.score > best.score) best = scored;

    const score = best?.score ?? -penalty;
    const level: SupportLevel =
      score >= thresholds.supported && unfoundDetails.length === 0
        ? 'supported'
        : score >= thresholds.partial
          ? 'partial'
          : 'missing';
    const citations = sentence.cited
      .map((number) => ({ number, index: passages.findIndex((p) => p.number === number) }))
      .filter(({ index }) => index >= 0)
      .map(({ number, index }) => ({
        number,
        holds: (bestOf.get(index)?.score ?? -Infinity) >= thresholds.partial,
      }));
    return {
      ...base,
      level,
      score,
      cosine: best?.cosine ?? null,
      coverage: best?.coverage ?? 0,
      evidence:
        best && level !== 'missing'
          ? {
              passage: best.unit.passage,
              start: best.unit.start,
              end: best.unit.end,
              ...(best.unit.heading ? { heading: true as const } : {}),
            }
          : null,
      unfoundDetails,
      citations,
    };
  });
  return { sentences, summary: summarise(sentences), semantic: similarity !== null };
}

/** A stretch of passage text a sentence is scored against: one sentence, or two in a row. */
interface Stretch {
  unit: Unit;
  /** The indexes of its passage sentences in `units`. */
  units: number[];
}

/**
 * Every stretch: each passage sentence, and each with the next in its passage (not a source line,
 * nor table rows: a row's cells go together, and with no other row).
 */
function stretchesOf(units: readonly Unit[]): Stretch[] {
  const out: Stretch[] = [];
  units.forEach((unit, i) => {
    out.push({ unit, units: [i] });
    const next = units[i + 1];
    const joins =
      next?.passage === unit.passage &&
      !unit.heading &&
      !next.heading &&
      !unit.text.startsWith('|') &&
      !next.text.startsWith('|');
    if (next && joins) {
      out.push({
        unit: {
          ...unit,
          end: next.end,
          terms: union(unit.terms, next.terms),
          normalised: `${unit.normalised}${next.normalised}`,
        },
        units: [i, i + 1],
      });
    }
  });
  return out;
}

/** The sentence's details that appear in no passage (`lookup`: PreparedSupport's). */
function detailsInNoPassage(sentence: AnswerSentence, lookup: readonly string[]): Detail[] {
  return sentence.details.filter(
    (_, i) => !lookup.some((text) => text.includes(sentence.detailKeys[i]!.key)),
  );
}

/** The penalty for details in no passage, and the weight of all the sentence's words. */
function weighing(
  sentence: AnswerSentence,
  unfound: number,
  thresholds: SupportThresholds,
): { penalty: number; total: number } {
  return {
    penalty:
      sentence.details.length > 0
        ? thresholds.detailPenalty * (unfound / sentence.details.length)
        : 0,
    total: sum(sentence.weights.values()) + sum(sentence.detailKeys.map((d) => d.weight)),
  };
}

/** What to embed: some claims (indexes among the claims) and some passage sentences. */
export interface EmbeddingPlan {
  claims: number[];
  units: number[];
  /** Their texts, in those orders. */
  sentences: string[];
  unitTexts: string[];
}

/**
 * Only what meaning can change. The cosine moves a score by at most ± the cosine's weight, so a
 * claim whose verdict (and whose citations' verdicts) is the same for any cosine from −1 to 1 is
 * not embedded; for one that is not, only the passage sentences of stretches that could still be
 * its best are. checkSupport with the cosines of this plan gives the verdicts it would give with
 * every cosine.
 */
export function planEmbedding(
  prepared: PreparedSupport,
  thresholds: SupportThresholds,
): EmbeddingPlan {
  const w = thresholds.cosineWeight;
  const stretchList = stretchesOf(prepared.units);
  const claims: number[] = [];
  const wanted = new Set<number>();
  let claimIndex = -1;
  for (const sentence of prepared.sentences) {
    if (!sentence.claim) continue;
    claimIndex++;
    if (w === 0) continue;
    const unfound = detailsInNoPassage(sentence, prepared.lookup).length;
    const { penalty, total } = weighing(sentence, unfound, thresholds);
    const bounds = stretchList.map((stretch) => {
      const lexical = (1 - w) * (covered(sentence, stretch.unit) / total) - penalty;
      return { stretch, low: lexical - w, high: lexical + w };
    });
    const needed = new Set<number>();
    /** Whether `score ≥ threshold` can go either way among these stretches; if so, which matter. */
    const open = (among: typeof bounds, thresholdsToCheck: number[]) => {
      const low = Math.max(-Infinity, ...among.map((b) => b.low));
      const high = Math.max(-Infinity, ...among.map((b) => b.high));
      if (!thresholdsToCheck.some((t) => low < t && high >= t)) return;
      for (const b of among) if (b.high >= low) for (const u of b.stretch.units) needed.add(u);
    };
    open(bounds, unfound > 0 ? [thresholds.partial] : [thresholds.partial, thresholds.supported]);
    for (const number of sentence.cited) {
      const index = prepared.passages.findIndex((p) => p.number === number);
      if (index < 0) continue;
      open(
        bounds.filter((b) => b.stretch.unit.passage === index),
        [thresholds.partial],
      );
    }
    if (needed.size > 0) {
      claims.push(claimIndex);
      for (const u of needed) wanted.add(u);
    }
  }
  const units = [...wanted].sort((a, b) => a - b);
  const claimTexts = prepared.sentences.filter((s) => s.claim).map((s) => s.plain);
  return {
    claims,
    units,
    sentences: claims.map((c) => claimTexts[c]!),
    unitTexts: units.map((u) => prepared.units[u]!.text),
  };
}

/**
 * The claims × passage-sentences matrix checkSupport takes, from a plan's cosines
 * (plan.claims × plan.units): NaN where nothing was embedded.
 */
export function planSimilarity(
  prepared: PreparedSupport,
  plan: EmbeddingPlan,
  cosinesOfPlan: readonly (readonly number[])[],
): number[][] {
  const claimCount = prepared.sentences.filter((s) => s.claim).length;
  const matrix = Array.from({ length: claimCount }, () =>
    new Array<number>(prepared.units.length).fill(NaN),
  );
  plan.claims.forEach((claim, r) => {
    plan.units.forEach((unit, c) => (matrix[claim]![unit] = cosinesOfPlan[r]![c]!));
  });
  return matrix;
}

interface Scored {
  score: number;
  cosine: number | null;
  coverage: number;
  unit: Unit;
}

export function summarise(sentences: readonly SentenceSupport[]): SupportSummary {
  const summary: SupportSummary = {
    sentences: 0,
    supported: 0,
    partial: 0,
    missing: 0,
    citations: 0,
    citationsHolding: 0,
    unfoundDetails: 0,
  };
  for (const s of sentences) {
    if (s.level === 'none') continue;
    summary.sentences++;
    summary[s.level]++;
    summary.citations += s.citations.length;
    summary.citationsHolding += s.citations.filter((c) => c.holds).length;
    summary.unfoundDetails += s.unfoundDetails.length;
  }
  return summary;
}

/** Without citations, Markdown emphasis and code ticks: the words of the sentence. */
function plainText(text: string): string {
  let out = '';
  let at = 0;
  for (const match of findCitations(text)) {
    out += text.slice(at, match.start);
    at = match.end;
  }
  out += text.slice(at);
  return out
    .replace(/[*_`]+/g, '')
    .replace(/\s+([.,;:!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A question asks; it claims nothing ("When does the year start?"). */
function isQuestion(plain: string): boolean {
  return /\?["'”’)\]]*$/u.test(plain);
}

/** The token at `offset` is inside a citation bracket. */
function isCitationNumber(text: string, offset: number): boolean {
  return findCitations(text).some((m) => offset > m.start && offset < m.end);
}

/** The weight of the sentence's words and details that the stretch contains. */
function covered(sentence: AnswerSentence, stretch: Unit): number {
  let total = 0;
  for (const [term, weight] of sentence.weights) if (stretch.terms.has(term)) total += weight;
  for (const { key, weight } of sentence.detailKeys)
    if (stretch.normalised.includes(key)) total += weight;
  return total;
}

function union<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): Set<T> {
  const out = new Set(a);
  for (const item of b) out.add(item);
  return out;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
