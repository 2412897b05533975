import { describe, expect, test } from 'vitest';
import { BeirFormatError, parseCorpus, parseQrels, parseQueries } from './beir';

describe('BEIR files', () => {
  test('reads corpus and queries as JSON lines, ids as strings', () => {
    const corpus = parseCorpus(
      '{"_id": "4983", "title": "White matter", "text": "Diffusion MRI."}\n\n{"_id": 7, "text": "No title."}\n',
    );
    expect(corpus).toEqual([
      { id: '4983', title: 'White matter', text: 'Diffusion MRI.' },
      { id: '7', title: '', text: 'No title.' },
    ]);
    expect(parseQueries('{"_id": "1", "text": "A claim.", "metadata": {}}')).toEqual([
      { id: '1', text: 'A claim.' },
    ]);
  });

  test('reads qrels with or without a header, in BEIR or TREC columns', () => {
    const beir = parseQrels(
      'query-id\tcorpus-id\tscore\n1\t31715818\t1\n1\t42\t0\n3\t14717500\t2\n',
    );
    expect(beir).toEqual(
      new Map([
        [
          '1',
          new Map([
            ['31715818', 1],
            ['42', 0],
          ]),
        ],
        ['3', new Map([['14717500', 2]])],
      ]),
    );
    expect(parseQrels('5 0 doc9 1\n')).toEqual(new Map([['5', new Map([['doc9', 1]])]]));
  });

  test('says which file and line is malformed', () => {
    expect(() => parseCorpus('{"_id": "1"}\nnot json')).toThrow('corpus.jsonl, line 2: not JSON.');
    expect(() => parseQueries('{"text": "no id"}')).toThrow(BeirFormatError);
    expect(() => parseQrels('q\td\t1\nq\td\n')).toThrow('qrels, line 2');
  });
});
