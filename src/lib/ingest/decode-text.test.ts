import { describe, expect, test } from 'vitest';
import { utf16, utf8, windows1252 } from '../../../test/make-files';
import { decodeText, decodingWarnings, utf16WithoutBom } from './decode-text';

const FRENCH = 'Le café crème coûte 4 € — «très» bon, naïve “Œuvre” déjà vue.\r\nÇa va.\r\n';

describe('decodeText', () => {
  test('valid UTF-8 stays UTF-8, whatever it holds', () => {
    for (const text of [FRENCH, 'Grüße, 世界 🌍', 'plain ASCII', 'Ã© looks like mojibake']) {
      expect(decodeText(utf8(text))).toEqual({ text, replaced: 0 });
    }
  });

  test('a Windows-1252 (Latin-1) file is read as Windows-1252, and says so', () => {
    const decoded = decodeText(windows1252(FRENCH));
    expect(decoded).toEqual({ text: FRENCH, replaced: 0, assumed: 'windows-1252' });
    expect(decodingWarnings(decoded)).toEqual([
      'Read as Windows-1252 (Western European, also called Latin-1): the file is not UTF-8 and ' +
        'does not say which encoding it is in, so this one was assumed. If some letters look ' +
        'wrong, save it as UTF-8 and add it again.',
    ]);
    // One accented letter is enough to tell.
    expect(decodeText(windows1252('caf\u00e9 ok')).text).toBe('café ok');
  });

  test('UTF-8 with a few damaged bytes stays UTF-8, with the replacements counted', () => {
    const bytes = new Uint8Array([...utf8('naïve café, '), 0xff, ...utf8(' déjà')]);
    const decoded = decodeText(bytes);
    expect(decoded).toEqual({ text: 'naïve café, \uFFFD déjà', replaced: 1 });
    expect(decodingWarnings(decoded)).toEqual([
      '1 invalid byte sequence was replaced with �: the file is not entirely UTF-8. ' +
        'Save it as UTF-8 and add it again for the exact text.',
    ]);
  });

  test('bytes Windows-1252 leaves undefined are not assumed to be Windows-1252', () => {
    // "日本語、テスト。" in Shift_JIS: its punctuation starts with 0x81, a C1 control in 1252.
    const shiftJis = Uint8Array.from([
      0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x81, 0x41, 0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x81,
      0x42,
    ]);
    const decoded = decodeText(shiftJis);
    expect(decoded.assumed).toBeUndefined();
    expect(decoded.replaced).toBeGreaterThan(0);
  });

  test('UTF-16 without a byte-order mark is told by its zero bytes, either way round', () => {
    for (const endian of ['le', 'be'] as const) {
      const decoded = decodeText(utf16(FRENCH, endian));
      expect(decoded).toEqual({ text: FRENCH, replaced: 0, assumed: `utf-16${endian}` });
      expect(decodingWarnings(decoded)[0]).toMatch(
        new RegExp(`^Read as UTF-16 ${endian === 'le' ? 'little' : 'big'}-endian: the file is not`),
      );
    }
  });

  test('a byte-order mark or a declared encoding needs no assumption', () => {
    expect(decodeText(utf16(FRENCH, 'be', true))).toEqual({ text: FRENCH, replaced: 0 });
    expect(decodeText(windows1252(FRENCH), 'windows-1252')).toEqual({ text: FRENCH, replaced: 0 });
    // Declared UTF-8 is believed, even over bytes that are not.
    expect(decodeText(windows1252('café'), 'utf-8')).toEqual({ text: 'caf\uFFFD', replaced: 1 });
  });
});

describe('utf16WithoutBom', () => {
  test('needs text: binary data with a 16-bit pattern, or an odd length, is not UTF-16', () => {
    expect(utf16WithoutBom(utf16('hello, world', 'le'))).toBe('utf-16le');
    // Small 16-bit numbers have the zero bytes of UTF-16 but read as control characters.
    const numbers = new Uint8Array(
      new Uint16Array(Array.from({ length: 64 }, (_, i) => i % 9)).buffer,
    );
    expect(utf16WithoutBom(numbers)).toBeUndefined();
    expect(utf16WithoutBom(utf16('hello, world', 'le').subarray(0, 23))).toBeUndefined();
    // Zeros on both sides are NUL characters, not text.
    expect(utf16WithoutBom(new Uint8Array(64))).toBeUndefined();
    expect(utf16WithoutBom(utf8('hello, world'))).toBeUndefined();
  });
});
