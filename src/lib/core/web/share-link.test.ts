import { describe, expect, test } from 'vitest';
import {
  decodeShareParams,
  encodeShareLink,
  linkLanguageModel,
  type SharedSettings,
} from './share-link';

const SETTINGS: SharedSettings = {
  modelSource: 'http://192.168.1.20:8080/',
  embedder: 'Xenova/bge-small-en-v1.5',
  reranker: 'Xenova/ms-marco-MiniLM-L-6-v2',
  languageModel: { kind: 'catalogue', id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' },
  retrieval: { mode: 'hybrid', fusion: 'weighted', rrfK: 60, denseWeight: 0.7 },
  topK: 8,
  sampling: { temperature: 0.65, topP: 0.8, seed: 7, maxTokens: 512 },
};

const known = (id: string) => id === 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';

describe('encodeShareLink', () => {
  test('keeps the app address, drops its own query and fragment, and names every setting', () => {
    const link = new URL(
      encodeShareLink('https://example.org/grounded/?embedder=old%2Fmodel&x=1#top', SETTINGS),
    );
    expect(link.origin + link.pathname).toBe('https://example.org/grounded/');
    expect(link.hash).toBe('');
    expect(Object.fromEntries(link.searchParams)).toEqual({
      models: 'http://192.168.1.20:8080/',
      embedder: 'Xenova/bge-small-en-v1.5',
      reranker: 'Xenova/ms-marco-MiniLM-L-6-v2',
      llm: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      retrieval: 'hybrid',
      fusion: 'weighted',
      dense_weight: '0.7',
      topk: '8',
      temperature: '0.65',
      top_p: '0.8',
      seed: '7',
      max_tokens: '512',
    });
  });

  test('the hub, no reranker, no model and a non-hybrid mode leave their parameters out', () => {
    const link = new URL(
      encodeShareLink('http://localhost:4173/', {
        ...SETTINGS,
        modelSource: undefined,
        reranker: undefined,
        languageModel: undefined,
        retrieval: { ...SETTINGS.retrieval, mode: 'keyword' },
      }),
    );
    for (const name of ['models', 'reranker', 'llm', 'gguf', 'fusion', 'rrf_k', 'dense_weight']) {
      expect(link.searchParams.has(name)).toBe(false);
    }
    expect(link.searchParams.get('retrieval')).toBe('keyword');
  });

  test('a GGUF outside the catalogue travels as gguf=', () => {
    const link = new URL(
      encodeShareLink('http://localhost:4173/', {
        ...SETTINGS,
        languageModel: { kind: 'gguf', path: 'grounded-test/stories260K/stories260K.gguf' },
      }),
    );
    expect(link.searchParams.get('gguf')).toBe('grounded-test/stories260K/stories260K.gguf');
    expect(link.searchParams.has('llm')).toBe(false);
  });
});

describe('decodeShareParams', () => {
  test('round trip: what a link encodes is what it decodes', () => {
    const link = new URL(encodeShareLink('http://localhost:4173/', SETTINGS));
    expect(decodeShareParams(link.searchParams, known)).toEqual({
      languageModel: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      topK: 8,
      fusion: 'weighted',
      denseWeight: 0.7,
      sampling: SETTINGS.sampling,
      problems: [],
    });
    const rrf = new URL(
      encodeShareLink('http://localhost:4173/', {
        ...SETTINGS,
        retrieval: { ...SETTINGS.retrieval, fusion: 'rrf', rrfK: 20 },
        sampling: { temperature: 0, topP: 1, seed: 2147483647, maxTokens: 16 },
      }),
    );
    const decoded = decodeShareParams(rrf.searchParams, known);
    expect(decoded.rrfK).toBe(20);
    expect(decoded.fusion).toBe('rrf');
    expect(decoded.sampling).toEqual({ temperature: 0, topP: 1, seed: 2147483647, maxTokens: 16 });
  });

  test('no parameters: nothing decided, no problems', () => {
    expect(decodeShareParams(new URLSearchParams(''), known)).toEqual({
      sampling: {},
      problems: [],
    });
  });

  test('each bad value is ignored with a problem naming the parameter and the value', () => {
    const decoded = decodeShareParams(
      new URLSearchParams(
        'llm=some-other-model&topk=0&fusion=max&rrf_k=1e3&dense_weight=1.5&temperature=hot' +
          '&top_p=0.01&seed=1.5&max_tokens=99999',
      ),
      known,
    );
    expect(decoded).toMatchObject({ sampling: {} });
    expect(decoded.languageModel).toBeUndefined();
    expect(decoded.topK).toBeUndefined();
    expect(decoded.fusion).toBeUndefined();
    expect(decoded.rrfK).toBeUndefined();
    expect(decoded.denseWeight).toBeUndefined();
    expect(decoded.problems).toEqual([
      'The llm= parameter “some-other-model” is not a language model this app offers, so it was ignored.',
      'The topk= parameter “0” is not a whole number from 1 to 50, so it was ignored.',
      'The fusion= parameter “max” is not rrf or weighted, so it was ignored.',
      'The rrf_k= parameter “1e3” is not a number from 1 to 1000, so it was ignored.',
      'The dense_weight= parameter “1.5” is not a number from 0 to 1, so it was ignored.',
      'The temperature= parameter “hot” is not a number from 0 to 2, so it was ignored.',
      'The top_p= parameter “0.01” is not a number from 0.05 to 1, so it was ignored.',
      'The seed= parameter “1.5” is not a whole number from 0 to 2147483647, so it was ignored.',
      'The max_tokens= parameter “99999” is not a whole number from 16 to 4096, so it was ignored.',
    ]);
  });

  test('good values beside bad ones still apply', () => {
    const decoded = decodeShareParams(new URLSearchParams('topk=3&temperature=&seed=12'), known);
    expect(decoded.topK).toBe(3);
    expect(decoded.sampling).toEqual({ seed: 12 });
    expect(decoded.problems).toHaveLength(1);
  });
});

test('a link holds settings only: no key outside the documented set', () => {
  const link = new URL(encodeShareLink('http://localhost:4173/?q=secret+question', SETTINGS));
  const allowed = new Set([
    'models',
    'embedder',
    'reranker',
    'llm',
    'gguf',
    'retrieval',
    'fusion',
    'rrf_k',
    'dense_weight',
    'topk',
    'temperature',
    'top_p',
    'seed',
    'max_tokens',
  ]);
  for (const key of link.searchParams.keys()) expect(allowed.has(key)).toBe(true);
  expect(link.href).not.toContain('secret');
});

describe('linkLanguageModel', () => {
  const extra = {
    id: 'gguf:grounded-test/stories260K/stories260K.gguf',
    repo: 'grounded-test/stories260K',
    file: 'stories260K.gguf',
  };
  test('a catalogue model by id, the gguf= model by path, a file from disk not at all', () => {
    expect(linkLanguageModel('Qwen2.5-0.5B-Instruct-q4f16_1-MLC', known, extra)).toEqual({
      kind: 'catalogue',
      id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    });
    expect(linkLanguageModel(extra.id, known, extra)).toEqual({
      kind: 'gguf',
      path: 'grounded-test/stories260K/stories260K.gguf',
    });
    expect(linkLanguageModel('file:my private notes model.gguf', known, extra)).toBe('local-file');
    expect(linkLanguageModel('unknown-model', known)).toBeUndefined();
    expect(linkLanguageModel(undefined, known)).toBeUndefined();
    expect(linkLanguageModel('', known)).toBeUndefined();
  });
});
