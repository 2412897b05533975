import { describe, expect, test } from 'vitest';
import { splitSentences } from './sentences';

const texts = (answer: string) => splitSentences(answer).map((s) => s.text);

describe('splitSentences', () => {
  test('every sentence is the answer’s own text at its offsets', () => {
    const answer =
      '  Employees get 30 weeks [1].\n\n- It is paid. [2]\n```\ncode. here.\n```\nDone.';
    for (const sentence of splitSentences(answer)) {
      expect(answer.slice(sentence.start, sentence.end)).toBe(sentence.text);
      expect(sentence.text).toBe(sentence.text.trim());
    }
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n ')).toEqual([]);
  });

  test('citations stay with their sentence, inside it or after its full stop', () => {
    expect(texts('Employees get 30 weeks [1]. It is paid at full pay [2][3].')).toEqual([
      'Employees get 30 weeks [1].',
      'It is paid at full pay [2][3].',
    ]);
    expect(texts('It is 30 weeks. [1] Pay is full. [2]')).toEqual([
      'It is 30 weeks. [1]',
      'Pay is full. [2]',
    ]);
    expect(texts('The rate [2] applies to cars, says [1], not vans.')).toEqual([
      'The rate [2] applies to cars, says [1], not vans.',
    ]);
  });

  test('decimals, amounts and abbreviations do not end a sentence', () => {
    expect(texts('The rate is 0.45 per mile, so 10 miles cost €4.50. Claim it monthly.')).toEqual([
      'The rate is 0.45 per mile, so 10 miles cost €4.50.',
      'Claim it monthly.',
    ]);
    expect(texts('Dr. Halloway founded it with Mr. Banse in 2009. She was a biologist.')).toEqual([
      'Dr. Halloway founded it with Mr. Banse in 2009.',
      'She was a biologist.',
    ]);
    expect(texts('Ask a manager, e.g. Aoife, approx. two weeks ahead. Then wait.')).toEqual([
      'Ask a manager, e.g. Aoife, approx. two weeks ahead.',
      'Then wait.',
    ]);
    expect(texts('It was designed by J. Smith. It ships in May.')).toEqual([
      'It was designed by J. Smith.',
      'It ships in May.',
    ]);
  });

  test('list items and headings are units of their own, without their markers', () => {
    expect(
      texts(
        'You need:\n- a receipt\n- the form [1]\n  signed by you\n1. Submit it. Wait.\n## Next\nDone.',
      ),
    ).toEqual([
      'You need:',
      'a receipt',
      'the form [1]\n  signed by you',
      'Submit it.',
      'Wait.',
      'Next',
      'Done.',
    ]);
  });

  test('a fenced code block is one unit, never cut at its full stops', () => {
    const sentences = splitSentences('Run this:\n```sh\nnpm start. npm test.\n```\nThen open it.');
    expect(sentences.map((s) => [s.kind, s.text])).toEqual([
      ['text', 'Run this:'],
      ['code', '```sh\nnpm start. npm test.\n```'],
      ['text', 'Then open it.'],
    ]);
    // An unclosed fence runs to the end, as Markdown renders it.
    expect(splitSentences('Run:\n```\nrm -rf. Now.').map((s) => s.kind)).toEqual(['text', 'code']);
  });

  test('a question, an exclamation and a quoted sentence end where they should', () => {
    expect(texts('Is it broken? No! The light is a heartbeat. "It blinks," the FAQ says.')).toEqual(
      ['Is it broken?', 'No!', 'The light is a heartbeat.', '"It blinks," the FAQ says.'],
    );
  });

  test('a quoted exclamation that the sentence goes on after is one sentence', () => {
    expect(texts('"Here!" said Anna. "Come!" She ran.')).toEqual([
      '"Here!" said Anna.',
      '"Come!"',
      'She ran.',
    ]);
  });

  test('a unit letter after a number ends its sentence; an initial does not', () => {
    expect(texts('It stops at -40 C. The K-20X goes to -80 °C. J. Smith said so.')).toEqual([
      'It stops at -40 C.',
      'The K-20X goes to -80 °C.',
      'J. Smith said so.',
    ]);
  });

  test('a numbered section in a source line does not end it', () => {
    expect(texts('[1] policy.md › Policy › 7. Incidents › 7.2 How and when')).toEqual([
      '[1] policy.md › Policy › 7. Incidents › 7.2 How and when',
    ]);
  });
});
