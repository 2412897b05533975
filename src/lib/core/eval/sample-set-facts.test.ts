import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { matchFacts } from './facts';
import { parseSampleSet } from './sample-set';

/**
 * The sample set's facts do what they are for: the reference answer of QUESTIONS.md states every
 * fact of its question, and the confident wrong guesses a model without the documents makes
 * (statutory defaults, older values found in the corpus, invented names) do not.
 */
const set = parseSampleSet(
  readFileSync(new URL('../../../../static/samples/QUESTIONS.md', import.meta.url), 'utf8'),
);
const answerable = set.questions.filter((q) => q.kind === 'answerable');

const WRONG_GUESSES: Record<string, string[]> = {
  q1: [
    'Employees get 12 weeks of parental leave.',
    'Birth mothers get 26 weeks, partners 2 weeks.',
    'Typically 52 weeks, of which 39 paid.',
  ],
  q2: ['The meal allowance is €50 per day.', 'It was €52 per day.', 'Usually around $75 per day.'],
  q3: [
    'Your line manager approves it.',
    'The CFO must approve claims above €2,000.',
    'The head of department.',
  ],
  q4: [
    'E-214 means the probe is disconnected.',
    'It indicates a low battery.',
    'A communication error with the gateway.',
  ],
  q5: [
    'Yes, a red blinking light indicates a fault. Contact support.',
    'A red blink usually means low battery; it is not normal.',
    'It may be broken.',
  ],
  q6: ['The financial year starts on 1 January.', 'It starts on 1 April.', 'July 1st.'],
  q7: [
    'Every 90 days.',
    'Passwords must be changed every 90 days on a schedule.',
    'Every three months.',
  ],
  q8: [
    'Yes, if the flight is cheaper you may fly.',
    'Yes, choose the cheapest option.',
    'Flights are allowed for journeys over 5 hours.',
  ],
  q9: [
    'Yes, directors may fly business class on long-haul flights.',
    'Business class is allowed for flights over 6 hours.',
    'Yes.',
  ],
  q10: [
    'Yes, a factory reset erases all data including readings.',
    'Yes, everything is deleted.',
    'It deletes the logged readings.',
  ],
  q11: [
    'Customers should run the latest version, 5.0.',
    'Run 4.0.0 and avoid 3.0.',
    'Always use the newest firmware.',
  ],
  q12: [
    'It was withdrawn due to a security bug affecting 120 customers.',
    'A battery drain issue; about 1,000 customers.',
    'It caused false alarms for 50 customers.',
  ],
  q13: ['G-40 means a low battery.', 'The gateway lost connection.', 'A solar charge fault.'],
  q14: ['Up to 32 loggers.', 'Up to 100 loggers.', 'About 64.'],
  q15: ['12 months.', '24 months.', 'Telemetry is kept for 7 years.'],
  q16: [
    'Within 24 hours, to your manager.',
    'Immediately, to IT.',
    'Within 72 hours to the data protection officer.',
  ],
  q17: ['It takes 5 working days.', 'About two weeks.', 'Ten business days.'],
  q18: [
    'Yes, anchor day was moved from Tuesday to Thursday.',
    'Yes, it is now on Thursday.',
    'Anchor day is Thursday.',
  ],
  q19: [
    'In the front courtyard.',
    'The car park at the front of the building.',
    'Assembly point A.',
  ],
  q20: [
    'It was founded in 1985 by John Marrowby.',
    'Founded in 2009 by two engineers.',
    'Ingrid Halloway founded it in 2012.',
  ],
};

describe('the sample set’s facts', () => {
  test.each(answerable.map((q) => [q.id, q] as const))(
    '%s: the reference answer states every fact',
    (_, question) => {
      const missing = matchFacts(question.answer!, question.facts).filter((m) => !m.found);
      expect(missing.map((m) => m.fact)).toEqual([]);
    },
  );

  test.each(answerable.map((q) => [q.id, q] as const))(
    '%s: no typical wrong guess states every fact',
    (id, question) => {
      const guesses = WRONG_GUESSES[id] ?? [];
      expect(guesses.length).toBeGreaterThan(0);
      const passing = guesses.filter((guess) =>
        matchFacts(guess, question.facts).every((m) => m.found),
      );
      expect(passing).toEqual([]);
    },
  );
});
