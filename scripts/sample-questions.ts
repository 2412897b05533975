/** The sample corpus's questions (static/samples/QUESTIONS.md), for eval:samples and its test. */

export interface SampleQuestion {
  number: number;
  text: string;
  /** The file named first on its **Source:** line. */
  source: string;
}

/**
 * The numbered questions (`### 1. …`) with the first file their **Source:** line names. The
 * control questions, which have no source, are not numbered headings and are left out.
 */
export function parseSampleQuestions(markdown: string): SampleQuestion[] {
  const questions: SampleQuestion[] = [];
  for (const section of markdown.split(/^### /m).slice(1)) {
    const heading = /^(\d+)\.\s+(.+)$/m.exec(section);
    const source = /\*\*Source:\*\*\s*`([^`]+)`/.exec(section);
    if (heading && source) {
      questions.push({ number: Number(heading[1]), text: heading[2]!.trim(), source: source[1]! });
    }
  }
  return questions;
}
