/** The questions an evaluation asks: imported, from the sample set, or generated from passages. */

/** Something a correct answer must contain: any one of its alternatives ("30 weeks" | "thirty weeks"). */
export type Fact = readonly string[];

/** An unanswerable question's right answer is to decline; the documents do not hold it. */
export type QuestionKind = 'answerable' | 'unanswerable';

export interface EvalQuestion {
  /** Unique within its set; stable across runs of the set, so runs can be compared per question. */
  id: string;
  question: string;
  /** A reference answer, shown beside the model's; never scored. */
  answer?: string;
  /** What a correct answer must contain, every one of them. Empty for unanswerable questions. */
  facts: Fact[];
  /** The name of the document holding the answer. */
  source?: string;
  kind: QuestionKind;
  /** The group results are shown under, e.g. the sample set's "Will guess wrong". */
  category?: string;
  /** Written by the language model from a passage of `source`; shown for review before a run. */
  generated?: boolean;
}

export interface QuestionSet {
  /** What the person sees: "Sample questions", the imported file's name, … */
  name: string;
  questions: EvalQuestion[];
}

/**
 * An id made from the question's text (white space collapsed), after `prefix` ("q" imported,
 * "gen" generated): the same question gets the same id in every import of its file, wherever it
 * moves in the file, so runs can be compared per question.
 */
export function questionId(prefix: string, question: string): string {
  return `${prefix}-${cyrb53(question.replace(/\s+/g, ' ')).toString(36)}`;
}

/** cyrb53 (public domain, bryc): a 53-bit string hash, enough to tell texts apart, not a secret. */
export function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
