import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { importQuestions, QuestionImportError, questionsToJsonl } from './question-import';
import { parseSampleSet, SAMPLE_CATEGORIES, SAMPLE_SET_NAME } from './sample-set';

const samples = new URL('../../../../static/samples/', import.meta.url);
const markdown = readFileSync(new URL('QUESTIONS.md', samples), 'utf8');
const manifest = JSON.parse(readFileSync(new URL('manifest.json', samples), 'utf8')) as {
  documents: { file: string }[];
};

describe('the sample set, read from static/samples/QUESTIONS.md', () => {
  const set = parseSampleSet(markdown);

  test('20 numbered questions and 2 controls, in the order of the page', () => {
    expect(set.name).toBe(SAMPLE_SET_NAME);
    expect(set.questions.map((q) => q.id)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `q${i + 1}`),
      'control-1',
      'control-2',
    ]);
  });

  test('a numbered question with its answer, facts, first source file and category', () => {
    expect(set.questions[0]).toEqual({
      id: 'q1',
      question: 'How many weeks of parental leave do employees get?',
      answer: expect.stringMatching(/^30 weeks at full basic pay, for every parent/),
      facts: [['30 weeks']],
      source: 'employee-handbook.md',
      kind: 'answerable',
      category: 'Will guess wrong',
    });
    expect(set.questions[2]).toMatchObject({
      question: 'Who approves an expense claim of €4,500?',
      facts: [['Finance Director', 'Callum Trewin']],
      source: 'expenses-and-travel-policy.md',
      category: 'Cannot know',
    });
    expect(set.questions[16]!.source).toBe('ops-meeting-notes-2025-03-11.txt');
    expect(set.questions[19]!.facts).toEqual([['Halloway'], ['Banse'], ['2009']]);
  });

  test('every numbered question is answerable, with facts and a source among the samples', () => {
    const files = manifest.documents.map((d) => d.file);
    for (const q of set.questions.slice(0, 20)) {
      expect(q.kind, q.id).toBe('answerable');
      expect(q.facts.length, q.id).toBeGreaterThan(0);
      expect(files, q.id).toContain(q.source);
    }
  });

  test('the controls are unanswerable, without facts or source', () => {
    expect(set.questions.slice(20)).toEqual([
      {
        id: 'control-1',
        question: 'Which dental insurance provider does Marrowby use?',
        answer: 'Not mentioned anywhere.',
        facts: [],
        kind: 'unanswerable',
        category: 'Control',
      },
      {
        id: 'control-2',
        question: 'What is the list price of the Plover P-9?',
        answer: 'There is no P-9.',
        facts: [],
        kind: 'unanswerable',
        category: 'Control',
      },
    ]);
  });

  test('the categories as the page gives them', () => {
    const count = (category: string) => set.questions.filter((q) => q.category === category);
    expect(SAMPLE_CATEGORIES).toEqual(['Cannot know', 'Will guess wrong', 'Control']);
    expect(count('Will guess wrong').map((q) => q.id)).toEqual([
      'q1',
      'q5',
      'q6',
      'q7',
      'q8',
      'q9',
      'q10',
    ]);
    expect(count('Cannot know')).toHaveLength(13);
    expect(count('Control')).toHaveLength(2);
  });

  test('exports as JSONL and imports back the same, so it can be edited as a file', () => {
    expect(importQuestions(questionsToJsonl(set.questions), 'samples.jsonl').questions).toEqual(
      set.questions,
    );
  });

  test('reads the page with CRLF line ends too', () => {
    expect(parseSampleSet(markdown.replace(/\n/g, '\r\n'))).toEqual(set);
  });
});

describe('a QUESTIONS.md the set cannot be read from', () => {
  const page = (...questions: string[]) =>
    [
      '# Example questions',
      '',
      '## Questions',
      '',
      ...questions,
      '## Control questions (no answer in the corpus)',
      '',
      '- What is the list price of the Plover P-9? (There is no P-9.)',
      '',
    ].join('\n');
  const question = (n: number, lines: Record<string, string>) =>
    [
      `### ${n}. Question ${n}?`,
      '',
      ...Object.entries(lines).map(([name, text]) => `- **${name}:** ${text}`),
      '',
    ].join('\n');
  const good = {
    Answer: 'An answer.',
    Facts: 'a fact | another way; a second fact',
    Source: '`employee-handbook.md`, §1',
    'Ungrounded model': 'Cannot know.',
  };
  const error = (text: string) => {
    try {
      parseSampleSet(text);
    } catch (e) {
      expect(e).toBeInstanceOf(QuestionImportError);
      return e as QuestionImportError;
    }
    throw new Error('the page was read, but should have been refused');
  };

  test('the smallest good page reads', () => {
    expect(parseSampleSet(page(question(1, good))).questions[0]).toMatchObject({
      facts: [['a fact', 'another way'], ['a second fact']],
      source: 'employee-handbook.md',
    });
  });

  test('a question without its Facts line names the file and the question’s line', () => {
    const { Facts: _, ...noFacts } = good;
    expect(error(page(question(1, good), question(2, noFacts))).message).toBe(
      'QUESTIONS.md, line 12: question 2 has no **Facts:** line. Add it below the question, as ' +
        'the other questions have. Fix the line and reload the page.',
    );
  });

  test('facts that are empty, a source without a file, an unknown category', () => {
    expect(error(page(question(1, { ...good, Facts: ' ; | ' }))).message).toContain(
      "QUESTIONS.md, line 8: question 1's **Facts:** line lists no facts",
    );
    expect(error(page(question(1, { ...good, Source: 'the handbook' }))).message).toContain(
      "line 9: question 1's **Source:** names no file",
    );
    const unknown = error(page(question(1, { ...good, 'Ungrounded model': 'Easy.' })));
    expect(unknown.message).toContain(
      "line 10: question 1's **Ungrounded model:** line must start with “Cannot know” or " +
        '“Will guess wrong”.',
    );
  });

  test('questions numbered out of order, or a line given twice', () => {
    expect(error(page(question(1, good), question(3, good))).message).toContain(
      'line 12: question 3 should be numbered 2',
    );
    const twice = page(question(1, good).replace('- **Answer:**', '- **Facts:** x\n- **Answer:**'));
    expect(error(twice).message).toContain(
      'line 9: question 1 has a second **Facts:** line. Keep one.',
    );
  });

  test('no numbered questions, no controls, or a control without its note', () => {
    expect(error(page()).message).toBe(
      'QUESTIONS.md: there are no numbered questions (### 1. …) under “## Questions”. Fix the ' +
        'file and reload the page.',
    );
    const noControls = page(question(1, good)).replace(/- What is the list price.*\n/, '');
    expect(error(noControls).message).toContain(
      'there are no control questions under “## Control questions”.',
    );
    const noNote = page(question(1, good)).replace(' (There is no P-9.)', '');
    expect(error(noNote).message).toContain(
      'line 14: a control question must be the question, then a note in brackets',
    );
  });
});
