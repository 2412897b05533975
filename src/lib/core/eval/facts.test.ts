import { describe, expect, it } from 'vitest';
import {
  highlightSegments,
  matchFact,
  matchFacts,
  normaliseForMatching,
  type FactMatch,
} from './facts';

const found = (answer: string, ...alternatives: string[]): boolean =>
  matchFact(answer, alternatives).found;

/** The answer's text at each place the fact was found. */
const marked = (answer: string, match: FactMatch): string[] =>
  match.ranges.map((r) => answer.slice(r.start, r.end));

describe('normalisation, each on both sides', () => {
  it('ignores case, accents and whitespace', () => {
    expect(found('Employees get  THIRTY\n weeks', 'thirty weeks')).toBe(true);
    expect(found('The café on Quayside Lane', 'Cafe')).toBe(true);
    expect(normaliseForMatching('  Café\tÉTÉ ')).toBe('cafe ete');
  });

  it('ignores punctuation and Markdown', () => {
    expect(found('It is **30 weeks**.', '30 weeks')).toBe(true);
    expect(found('Error E214 means probe drift', 'E-214')).toBe(true);
    expect(found('Replace the probe (K20X).', 'K-20X')).toBe(true);
    expect(found('"Assembly Point B" — on the slipway car park', 'assembly point b')).toBe(true);
  });

  it('removes thousands separators: comma, space and no-break space', () => {
    for (const written of ['€4,500', '€4500', '€4 500', '€4\u00a0500', '€4\u202f500']) {
      expect(found(`A claim of ${written} goes to the Finance Director.`, '4,500')).toBe(true);
      expect(found(`A claim of ${written} goes to the Finance Director.`, '4500')).toBe(true);
    }
    expect(normaliseForMatching('1,250,000.75 and 12 345 678')).toBe('1250000.75 and 12345678');
  });

  it('does not take other commas for thousands separators', () => {
    expect(normaliseForMatching('4,5000 and 3,8 and 1, 2, 3')).toBe('4 5000 and 3 8 and 1 2 3');
    expect(found('In 2009, 412 loggers were sold', '2009412')).toBe(false);
  });

  it('reads number words as numbers', () => {
    expect(found('Parents get thirty weeks of leave.', '30 weeks')).toBe(true);
    expect(found('Parents get 30 weeks of leave.', 'thirty weeks')).toBe(true);
    expect(normaliseForMatching('twenty-five, twenty five, one hundred, a hundred')).toBe(
      '25 25 100 100',
    );
    expect(normaliseForMatching('one hundred and five')).toBe('105');
    expect(normaliseForMatching('two thousand five hundred and six')).toBe('2506');
    expect(normaliseForMatching('one million two hundred thousand')).toBe('1200000');
    expect(normaliseForMatching('twelve hundred')).toBe('1200');
    expect(normaliseForMatching('nine working days')).toBe('9 working day');
  });

  it('reads a dozen as 12', () => {
    expect(normaliseForMatching('a dozen, two dozen, one dozen')).toBe('12 24 12');
  });

  it('multiplies digits by a number word: 4 thousand, 1.5 million', () => {
    expect(found('about 4 thousand euros', '€4,000')).toBe(true);
    expect(normaliseForMatching('1.5 million')).toBe('1500000');
    expect(normaliseForMatching('4.1 thousand')).toBe('4100');
  });

  it('keeps separate numbers separate', () => {
    expect(normaliseForMatching('five six')).toBe('5 6');
    expect(normaliseForMatching('twenty thirty')).toBe('20 30');
    expect(normaliseForMatching('one and two')).toBe('1 and 2');
    expect(normaliseForMatching('one hundred and')).toBe('100 and');
    // A comma ends a number: "twenty, five" is a list.
    expect(normaliseForMatching('twenty, five')).toBe('20 5');
  });

  it('leaves "a" and "an" alone unless a hundred, thousand or dozen follows', () => {
    expect(normaliseForMatching('an hour, a day, a thousand')).toBe('an hour a day 1000');
  });

  it('reads ordinals written with digits as numbers, not ordinal words', () => {
    expect(found('released on the 24th of March', '24 March')).toBe(false);
    expect(found('released on March 24th', 'March 24')).toBe(true);
    expect(found('the 3rd of March 2009', '3 of March 2009')).toBe(true);
    expect(normaliseForMatching('second')).toBe('second');
  });

  it('reads %, percent and per cent alike', () => {
    expect(found('a 50% discount', '50 percent')).toBe(true);
    expect(found('a 50 per cent discount', '50%')).toBe(true);
  });

  it('reads plurals as singular, but not short words or words ending "ss", "us" or "is"', () => {
    expect(found('a 30-week parental leave', '30 weeks')).toBe(true);
    expect(normaliseForMatching('class yes bus minus basis weeks')).toBe(
      'class yes bus minus basis week',
    );
  });

  it('reads currencies as their names after the amount', () => {
    for (const written of ['€60', '€ 60', '60 €', '60 euros', 'EUR 60', '60 EUR', 'sixty euros']) {
      expect(found(`The meal allowance is ${written} a day.`, '€60')).toBe(true);
      expect(found(`The meal allowance is ${written} a day.`, '60 euros')).toBe(true);
      expect(found(`The meal allowance is ${written} a day.`, '60')).toBe(true);
    }
    expect(found('The meal allowance is $60 a day.', '€60')).toBe(false);
    expect(found('The meal allowance is 60 dollars a day.', '€60')).toBe(false);
    expect(found('It is paid in euros.', 'euro')).toBe(true);
  });

  it('reads a minus sign as "minus", but not a hyphen inside a word or range', () => {
    expect(found('below −70 °C', '-70 °C')).toBe(true);
    expect(found('below -70°C', 'minus 70 C')).toBe(true);
    expect(found('below 70 °C', '−70 °C')).toBe(false);
    expect(normaliseForMatching('E-214, 10-20')).toBe('e 214 10 20');
  });

  it('does not count citation numbers as words of the answer', () => {
    expect(found('It starts on 1 September [1].', '1')).toBe(true);
    expect(found('Thirty weeks [2].', '2')).toBe(false);
    expect(found('Thirty [1] weeks', '30 weeks')).toBe(true);
    expect(found('See [1, 2].', '1 2')).toBe(false);
  });
});

describe('matching on word boundaries', () => {
  it('does not find a number inside a longer number', () => {
    expect(found('up to 300 loggers', '30')).toBe(false);
    expect(found('a claim of €4,300', '300')).toBe(false);
    expect(found('a tolerance of 30.5 seconds', '30')).toBe(false);
    expect(found('version 4.1.10', '4.1.1')).toBe(false);
    expect(found('version 4.1.1.', '4.1.1')).toBe(true);
    expect(found('within 0.5 °C', '5 °C')).toBe(false);
  });

  it('does not find a word inside a longer word', () => {
    expect(found('every weekday', 'week')).toBe(false);
    expect(found('Tuesdays', 'Tuesday')).toBe(true);
  });

  it('needs the words of a fact together and in order', () => {
    expect(found('30 working weeks', '30 weeks')).toBe(false);
    expect(found('weeks: 30', '30 weeks')).toBe(false);
  });

  it('finds a fact at the very start and end of an answer', () => {
    expect(found('30', '30')).toBe(true);
    expect(found('Callum Trewin', 'Callum Trewin')).toBe(true);
  });

  it('never finds an alternative that has no words', () => {
    expect(found('anything at all', '—', '')).toBe(false);
  });
});

describe('alternatives and results', () => {
  it('finds a fact when any alternative is there, and says which', () => {
    const match = matchFact('Red blinks are the normal heartbeat.', [
      'logging and connected',
      'heartbeat',
      'normal',
    ]);
    expect(match.found).toBe(true);
    expect(match.alternative).toBe('heartbeat');
  });

  it('gives the ranges in the original text where each found fact is', () => {
    const answer = 'Thirty weeks at full pay; that is 30 weeks (or €4,500, i.e. 4500 EUR).';
    const [weeks, money, missing] = matchFacts(answer, [
      ['30 weeks'],
      ['€4,500'],
      ['Callum Trewin'],
    ]);
    expect(marked(answer, weeks!)).toEqual(['Thirty weeks', '30 weeks']);
    expect(marked(answer, money!)).toEqual(['€4,500', '4500 EUR']);
    expect(missing).toEqual({
      fact: ['Callum Trewin'],
      found: false,
      alternative: null,
      ranges: [],
    });
  });

  it('merges overlapping ranges of several alternatives', () => {
    const answer = 'Assembly Point B, on the slipway car park.';
    const match = matchFact(answer, ['slipway car park', 'car park']);
    expect(marked(answer, match)).toEqual(['slipway car park']);
  });

  it('covers the ordinal suffix and the currency in the range', () => {
    const answer = 'On March 24th it cost €60.';
    expect(marked(answer, matchFact(answer, ['March 24']))).toEqual(['March 24th']);
    expect(marked(answer, matchFact(answer, ['60 euros']))).toEqual(['€60']);
  });

  it('reports found and missing facts of a real answer', () => {
    const answer =
      'Customer telemetry on the standard plan is kept for twenty-five months and then deleted automatically. [1]';
    const matches = matchFacts(answer, [['25 months'], ['deleted', 'removed'], ['7 years']]);
    expect(matches.map((m) => m.found)).toEqual([true, true, false]);
  });
});

describe('highlightSegments', () => {
  it('cuts the text into marked and unmarked parts that join back into it', () => {
    const text = 'Up to €60 per day, €12 less with breakfast.';
    const ranges = matchFacts(text, [['€60'], ['€12'], ['per day']]).flatMap((m) => m.ranges);
    const segments = highlightSegments(text, ranges);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.filter((s) => s.highlighted).map((s) => s.text)).toEqual([
      '€60',
      'per day',
      '€12',
    ]);
  });

  it('gives the whole text unmarked when nothing was found', () => {
    expect(highlightSegments('No facts here.', [])).toEqual([
      { text: 'No facts here.', highlighted: false },
    ]);
  });
});
