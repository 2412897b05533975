import { describe, expect, test } from 'vitest';
import { parseModelSource } from './model-source';

describe('parseModelSource', () => {
  test('no parameter means the Hugging Face hub', () => {
    expect(parseModelSource(null)).toEqual({ mirror: undefined });
    expect(parseModelSource('  ')).toEqual({ mirror: undefined });
  });

  test('an http(s) mirror gets a trailing slash so paths append cleanly', () => {
    expect(parseModelSource('http://192.168.1.20:8080')).toEqual({
      mirror: 'http://192.168.1.20:8080/',
    });
    expect(parseModelSource('https://models.example/hf/')).toEqual({
      mirror: 'https://models.example/hf/',
    });
  });

  test('anything else is refused with a message naming the value', () => {
    for (const bad of ['javascript:alert(1)', 'not a url', 'file:///etc/passwd']) {
      const source = parseModelSource(bad);
      expect(source.mirror).toBeUndefined();
      expect(source.problem).toContain(`“${bad}”`);
    }
  });
});
