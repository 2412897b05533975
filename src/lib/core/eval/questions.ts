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
