import { describe, expect, test } from 'vitest';
import { chunkDocument } from '../core/text/chunking';
import { utf8 } from '../../../test/make-files';
import { CorruptDocumentError, NoTextError } from './errors';
import { extractJson } from './extract-json';

const read = (value: unknown, name = 'data.json') => extractJson(utf8(JSON.stringify(value)), name);

describe('extractJson', () => {
  test('an array of objects is a list of records with their keys', () => {
    const { text, format, warnings } = read([
      { name: 'Ada', address: { city: 'Lyon', zip: '69001' }, tags: ['a', 'b'], active: true },
      { name: 'Bo', phones: [{ type: 'work', number: '123' }], manager: null, note: '' },
    ]);
    expect(format).toBe('json');
    expect(warnings).toEqual([]);
    expect(text).toBe(
      [
        'Record 1\nname: Ada\naddress.city: Lyon\naddress.zip: 69001\ntags: a, b\nactive: true',
        'Record 2\nname: Bo\nphones[0].type: work\nphones[0].number: 123\nmanager: null',
      ].join('\n\n'),
    );
  });

  test('records nested in an object are found; other values keep their full path', () => {
    const { text } = read({
      company: 'Orchard & Co.',
      meta: { version: 2 },
      employees: [{ name: 'Ada' }, { name: 'Bo' }],
    });
    expect(text).toBe(
      'company: Orchard & Co.\nmeta.version: 2\n\nemployees 1\nname: Ada\n\nemployees 2\nname: Bo',
    );
  });

  test('every chunk keeps the keys of its values', () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ sku: `P-${i}`, price: i * 3 }));
    const { text } = read(records);
    const chunks = chunkDocument(text, 'json', { targetTokens: 48, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^Record \d+\nsku: P-\d+\nprice: \d+/);
  });

  test('JSON Lines: each line is a record', () => {
    const lines = '{"q":"a"}\n\n{"q":"b","n":[1,2]}\n';
    expect(extractJson(utf8(lines), 'log.jsonl').text).toBe(
      'Line 1\nq: a\n\nLine 3\nq: b\nn: 1, 2',
    );
  });

  test('scalars and strings with line breaks stay on one line', () => {
    expect(read('just\na string').text).toBe('value: just a string');
    expect(read([1, 2, 3]).text).toBe('value: 1, 2, 3');
  });

  test('invalid JSON names the file and the place', () => {
    const error = (() => {
      try {
        extractJson(utf8('{"a": 1,\n "b": }'), 'broken.json');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect(error?.message).toBe(
      "“broken.json” is not valid JSON (Unexpected token '}'). Fix the file, or rename it to " +
        'end in .txt to add it as plain text.',
    );
    expect(() => extractJson(utf8('{"a":1}\nnope\n'), 'x.ndjson')).toThrow(/\(line 2: /);
  });

  test('absurdly deep nesting is cut off with a warning, not a stack overflow', () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const { text, warnings } = extractJson(utf8(`{"top": "kept", "deep": ${deep}}`), 'deep.json');
    expect(text).toBe('top: kept');
    expect(warnings).toEqual(['Values nested more than 64 levels deep were left out.']);
  });

  test('a file whose every value is too deep says so, not that it holds no values', () => {
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`;
    const attempt = (bytes: Uint8Array, name: string) => {
      try {
        extractJson(bytes, name);
      } catch (e) {
        return e as Error;
      }
    };
    const error = attempt(utf8(deep), 'deep.json');
    expect(error).toBeInstanceOf(NoTextError);
    expect(error?.message).toBe(
      '“deep.json” holds its values only more than 64 levels deep, deeper than Grounded reads ' +
        'JSON, so none were read and there is nothing to search. Flatten the nesting, or rename ' +
        'the file to end in .txt to add it as plain text.',
    );
    expect(attempt(utf8(`${deep}\n${deep}\n`), 'deep.jsonl')?.message).toMatch(
      /^“deep\.jsonl” holds its values only more than 64 levels deep/,
    );
    // Empty containers really hold no values: that is not about depth.
    expect(read({ a: { b: [] } }).text).toBe('');
  });
});
