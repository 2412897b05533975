import { describe, expect, test } from 'vitest';
import { extractDetails } from './details';

const details = (sentence: string) => extractDetails(sentence).map((d) => [d.kind, d.text]);
const keys = (sentence: string) => extractDetails(sentence).map((d) => d.key);

describe('extractDetails', () => {
  test('numbers with their units, dates and amounts, at their offsets', () => {
    const sentence = 'Employees get 12 weeks of leave from 1 March 2025, and claims up to €4,500.';
    expect(details(sentence)).toEqual([
      ['number', '12 weeks'],
      ['date', '1 March 2025'],
      ['amount', '€4,500'],
    ]);
    for (const d of extractDetails(sentence)) expect(sentence.slice(d.start, d.end)).toBe(d.text);
  });

  test('keys compare amounts and numbers however they are written, units included', () => {
    expect(keys('It costs € 4,500 or 4500 euros, for 30 Weeks.')).toEqual([
      '€4500',
      '4500 euros',
      '30 weeks',
    ]);
    // The same number with another unit is another detail.
    expect(keys('It lasts 12 days.')).not.toEqual(keys('It lasts 12 weeks.'));
  });

  test('codes and versions are codes, not numbers', () => {
    expect(details('Error E-214 on the K-20 means drift; install 4.1.1, not 4.1.0.')).toEqual([
      ['code', 'E-214'],
      ['code', 'K-20'],
      ['code', '4.1.1'],
      ['code', '4.1.0'],
    ]);
  });

  test('names, but not a capitalised first word or a function word', () => {
    expect(details('Ingrid Halloway and Teodor Banse founded Marrowby in 2009.')).toEqual([
      ['name', 'Ingrid Halloway'],
      ['name', 'Teodor Banse'],
      ['name', 'Marrowby'],
      ['number', '2009'],
    ]);
    expect(details('The Finance Director approves it.')).toEqual([['name', 'Finance Director']]);
    expect(details('It is normal.')).toEqual([]);
    expect(details('She said: "Yes, I\'m sure."')).toEqual([]);
    expect(details('He told Tim, "Thank you, Mommy!"')).toEqual([
      ['name', 'Tim'],
      ['name', 'Mommy'],
    ]);
  });

  test('number words count with a unit; citations and list numbers are not details', () => {
    expect(details('It is thirty weeks [1], not one of the usual twelve.')).toEqual([
      ['number', 'thirty weeks'],
    ]);
    expect(details('See [2] and [3].')).toEqual([]);
  });
});
