/**
 * The sample question set, read from static/samples/QUESTIONS.md itself, so the page people read
 * and the set the Evaluation panel runs cannot drift apart.
 *
 * The file's shape, which this parser holds it to:
 *
 *     ## Questions
 *
 *     ### 1. How many weeks of parental leave do employees get?
 *
 *     - **Answer:** 30 weeks at full basic pay, …
 *     - **Facts:** 30 weeks
 *     - **Source:** `employee-handbook.md`, §4.4 Parental leave
 *     - **Ungrounded model:** Will guess wrong (typical guesses are …).
 *
 *     ## Control questions (no answer in the corpus)
 *
 *     - Which dental insurance provider does Marrowby use? (Not mentioned anywhere.)
 *
 * Numbered questions are answerable, with the id `q<number>`; **Facts:** are written as in a CSV
 * question file (`;` between facts, `|` between alternatives); the source is the first file named
 * in backquotes; the category is how the ungrounded model does ("Cannot know" or "Will guess
 * wrong"). Control questions are unanswerable, in the category "Control", with the ids
 * `control-1`, `control-2`, …, and the note in brackets as their reference answer.
 */

import { factsFromText, QuestionImportError, type QuestionProblem } from './question-import';
import type { EvalQuestion, QuestionSet } from './questions';

/** What the sample set is called on screen. */
export const SAMPLE_SET_NAME = 'Sample questions';

/** How an ungrounded model does on a numbered question, as its **Ungrounded model:** line starts. */
const ANSWERABLE_CATEGORIES = ['Cannot know', 'Will guess wrong'] as const;

/** The groups the sample set's results are shown under, in this order. */
export const SAMPLE_CATEGORIES = [...ANSWERABLE_CATEGORIES, 'Control'] as const;

const FIELDS = ['Answer', 'Facts', 'Source', 'Ungrounded model'] as const;
type Field = (typeof FIELDS)[number];

interface Numbered {
  line: number;
  number: number;
  question: string;
  fields: Partial<Record<Field, { line: number; text: string }>>;
}

/**
 * The sample set from the text of QUESTIONS.md. Throws QuestionImportError naming `fileName` and
 * the line when a question lacks one of its lines, has no facts or source, names an unknown
 * category, or is numbered out of order, or when the file has no questions or no controls.
 */
export function parseSampleSet(markdown: string, fileName = 'QUESTIONS.md'): QuestionSet {
  const numbered: Numbered[] = [];
  const controls: { line: number; text: string }[] = [];
  const problems: QuestionProblem[] = [];
  let section: 'questions' | 'controls' | 'other' = 'other';
  markdown.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    if (/^## /.test(text)) {
      section = /^## Questions\s*$/.test(text)
        ? 'questions'
        : /^## Control questions\b/.test(text)
          ? 'controls'
          : 'other';
      return;
    }
    if (section === 'questions') {
      const heading = /^### (\d+)\.\s+(.+?)\s*$/.exec(text);
      if (heading) {
        numbered.push({ line, number: Number(heading[1]), question: heading[2]!, fields: {} });
        return;
      }
      const field = /^- \*\*(.+?):\*\*\s*(.*?)\s*$/.exec(text);
      const current = numbered.at(-1);
      if (field && current && (FIELDS as readonly string[]).includes(field[1]!)) {
        const name = field[1] as Field;
        if (current.fields[name]) {
          problems.push({
            line,
            message: `question ${current.number} has a second **${name}:** line. Keep one.`,
          });
        }
        current.fields[name] = { line, text: field[2]! };
      }
    } else if (section === 'controls') {
      const item = /^- (.+?)\s*$/.exec(text);
      if (item) controls.push({ line, text: item[1]! });
    }
  });

  const questions: EvalQuestion[] = [];
  numbered.forEach((q, index) => {
    if (q.number !== index + 1) {
      problems.push({
        line: q.line,
        message:
          `question ${q.number} should be numbered ${index + 1}: number the questions 1, 2, ` +
          '3, … in order.',
      });
    }
    const missing = FIELDS.filter((name) => !q.fields[name]?.text);
    if (missing.length > 0) {
      problems.push({
        line: q.line,
        message:
          `question ${q.number} has no ${missing.map((name) => `**${name}:**`).join(', ')} ` +
          `${missing.length === 1 ? 'line. Add it' : 'lines. Add them'} below the question, ` +
          'as the other questions have.',
      });
      return;
    }
    const {
      Answer,
      Facts,
      Source,
      'Ungrounded model': ungrounded,
    } = q.fields as Record<Field, { line: number; text: string }>;
    const facts = factsFromText(Facts.text);
    const source = /`([^`]+)`/.exec(Source.text)?.[1];
    const category = ANSWERABLE_CATEGORIES.find((name) => ungrounded.text.startsWith(name));
    if (facts.length === 0) {
      problems.push({
        line: Facts.line,
        message:
          `question ${q.number}'s **Facts:** line lists no facts: write what a correct answer ` +
          'states, `;` between facts and `|` between ways of saying one.',
      });
    }
    if (!source) {
      problems.push({
        line: Source.line,
        message:
          `question ${q.number}'s **Source:** names no file: write the file name in ` +
          'backquotes, such as `employee-handbook.md`.',
      });
    }
    if (!category) {
      problems.push({
        line: ungrounded.line,
        message:
          `question ${q.number}'s **Ungrounded model:** line must start with “Cannot know” ` +
          'or “Will guess wrong”.',
      });
    }
    questions.push({
      id: `q${q.number}`,
      question: q.question,
      answer: Answer.text,
      facts,
      ...(source ? { source } : {}),
      kind: 'answerable',
      ...(category ? { category } : {}),
    });
  });

  controls.forEach(({ line, text }, index) => {
    const control = /^(.+\?)\s*\((.+)\)$/.exec(text);
    if (!control) {
      problems.push({
        line,
        message:
          'a control question must be the question, then a note in brackets, such as ' +
          '“- Which dental insurance provider does Marrowby use? (Not mentioned anywhere.)”.',
      });
      return;
    }
    questions.push({
      id: `control-${index + 1}`,
      question: control[1]!.trim(),
      answer: control[2]!.trim(),
      facts: [],
      kind: 'unanswerable',
      category: 'Control',
    });
  });

  if (numbered.length === 0) {
    problems.push({ message: 'there are no numbered questions (### 1. …) under “## Questions”.' });
  }
  if (controls.length === 0) {
    problems.push({ message: 'there are no control questions under “## Control questions”.' });
  }
  if (problems.length > 0) {
    throw new QuestionImportError(
      fileName,
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      'reload',
    );
  }
  return { name: SAMPLE_SET_NAME, questions };
}
