import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseSampleQuestions } from './sample-questions';

test('the 20 sample questions with a source file, without the control questions', () => {
  const markdown = readFileSync(new URL('../static/samples/QUESTIONS.md', import.meta.url), 'utf8');
  const questions = parseSampleQuestions(markdown);
  expect(questions.map((q) => q.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(questions[0]).toEqual({
    number: 1,
    text: 'How many weeks of parental leave do employees get?',
    source: 'employee-handbook.md',
  });
  expect(questions[16]!.source).toBe('ops-meeting-notes-2025-03-11.txt');
  expect(questions.some((q) => q.text.includes('dental'))).toBe(false);
});
