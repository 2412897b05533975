import { describe, expect, test } from 'vitest';
import { GGUF_MODELS } from '../core/models/gguf-catalogue';
import { Settings } from './settings.svelte';

/** localStorage as the settings use it. */
function memoryStorage(entries: Record<string, string> = {}): Storage {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  } as Storage;
}

describe('workshop link parameters', () => {
  test('override the saved settings for the visit, without saving them', () => {
    const saved = JSON.stringify({
      topK: 3,
      sampling: { temperature: 0.2, topP: 0.9, seed: 1, maxTokens: 100 },
    });
    const storage = memoryStorage({ 'grounded:settings': saved });
    const settings = new Settings(
      storage,
      new URL(
        `http://localhost/?topk=9&temperature=0.75&top_p=0.5&seed=11&max_tokens=256&fusion=weighted&dense_weight=0.3&llm=${encodeURIComponent(GGUF_MODELS[0]!.id)}`,
      ),
    );
    expect(settings.problems).toEqual([]);
    expect(settings.topK).toBe(9);
    expect(settings.sampling).toEqual({ temperature: 0.75, topP: 0.5, seed: 11, maxTokens: 256 });
    expect(settings.retrieval).toMatchObject({ fusion: 'weighted', denseWeight: 0.3 });
    expect(settings.languageModel).toBe(GGUF_MODELS[0]!.id);
    expect(storage.getItem('grounded:settings')).toBe(saved);
  });

  test('a bad value keeps the saved one and is named in a problem', () => {
    const settings = new Settings(
      memoryStorage({ 'grounded:settings': JSON.stringify({ topK: 4 }) }),
      new URL('http://localhost/?topk=500&llm=nope&temperature=0.5'),
    );
    expect(settings.topK).toBe(4);
    expect(settings.languageModel).toBe('');
    expect(settings.sampling.temperature).toBe(0.5);
    expect(settings.problems).toEqual([
      'The llm= parameter “nope” is not a language model this app offers, so it was ignored.',
      'The topk= parameter “500” is not a whole number from 1 to 50, so it was ignored.',
    ]);
  });

  test('gguf= wins over llm= (it names the model and adds it to the list)', () => {
    const settings = new Settings(
      undefined,
      new URL(`http://localhost/?gguf=a/b/c.gguf&llm=${encodeURIComponent(GGUF_MODELS[0]!.id)}`),
    );
    expect(settings.languageModel).toBe('gguf:a/b/c.gguf');
  });
});

describe('changing a setting', () => {
  test('a valid value is applied and saved', () => {
    const storage = memoryStorage();
    const settings = new Settings(storage, new URL('http://localhost/'));
    expect(settings.setTopK(7)).toBe(true);
    expect(settings.setChunking({ targetTokens: 120, overlapTokens: 20 })).toBe(true);
    expect(settings.setMaxDocumentMB(2.5)).toBe(true);
    expect(settings.setRetrieval({ fusion: 'weighted', denseWeight: 0.4 })).toBe(true);
    settings.setBackend('wasm');
    settings.setEmbeddingModel('Xenova/bge-small-en-v1.5');
    const again = new Settings(storage, new URL('http://localhost/'));
    expect(again.topK).toBe(7);
    expect(again.chunking).toEqual({ targetTokens: 120, overlapTokens: 20 });
    expect(again.maxDocumentMB).toBe(2.5);
    expect(again.retrieval).toMatchObject({ mode: 'hybrid', fusion: 'weighted', denseWeight: 0.4 });
    expect(again.backend).toBe('wasm');
    expect(again.embeddingModel).toBe('Xenova/bge-small-en-v1.5');
  });

  test('an invalid value changes nothing, here or in storage', () => {
    const storage = memoryStorage();
    const settings = new Settings(storage, new URL('http://localhost/'));
    const before = {
      topK: settings.topK,
      chunking: { ...settings.chunking },
      maxDocumentMB: settings.maxDocumentMB,
      retrieval: { ...settings.retrieval },
    };
    expect(settings.setTopK(51)).toBe(false);
    expect(settings.setTopK(2.5)).toBe(false);
    expect(settings.setChunking({ targetTokens: 100, overlapTokens: 60 })).toBe(false);
    expect(settings.setMaxDocumentMB(0)).toBe(false);
    expect(settings.setRetrieval({ rrfK: 0 })).toBe(false);
    expect(settings.setRetrieval({ denseWeight: 1.5 })).toBe(false);
    expect(settings).toMatchObject(before);
    expect(storage.getItem('grounded:settings')).toBeNull();
  });
});

describe('reset', () => {
  test('brings back the defaults, saved, keeping the language model picked', () => {
    const storage = memoryStorage();
    const settings = new Settings(storage, new URL('http://localhost/'));
    const defaults = new Settings(memoryStorage(), new URL('http://localhost/'));
    settings.setTopK(9);
    settings.setRetrieval({ mode: 'keyword', fusion: 'weighted', denseWeight: 0.2 });
    settings.setChunking({ targetTokens: 120, overlapTokens: 20 });
    settings.setEmbeddingModel('Xenova/bge-small-en-v1.5');
    settings.sampling = { ...settings.sampling, temperature: 1.5 };
    settings.rerank = true;
    settings.languageModel = GGUF_MODELS[0]!.id;
    settings.save();

    settings.reset();
    const expected = {
      topK: defaults.topK,
      retrieval: defaults.retrieval,
      chunking: defaults.chunking,
      embeddingModel: defaults.embeddingModel,
      sampling: defaults.sampling,
      rerank: false,
      maxDocumentMB: defaults.maxDocumentMB,
      backend: defaults.backend,
    };
    expect(settings).toMatchObject({ ...expected, languageModel: GGUF_MODELS[0]!.id });
    expect(new Settings(storage, new URL('http://localhost/'))).toMatchObject({
      ...expected,
      languageModel: GGUF_MODELS[0]!.id,
    });
  });

  test('applies the page’s parameters again for the visit, without saving them', () => {
    const storage = memoryStorage();
    const url = new URL('http://localhost/?embedder=grounded-test/tiny-embedder&topk=3');
    const settings = new Settings(storage, url);
    settings.setTopK(12);
    settings.reset();
    expect(settings.embeddingModel).toBe('grounded-test/tiny-embedder');
    expect(settings.topK).toBe(3);
    expect(settings.problems).toEqual([]);
    const saved = new Settings(storage, new URL('http://localhost/'));
    expect(saved.embeddingModel).not.toBe('grounded-test/tiny-embedder');
    expect(saved.topK).toBe(5);
  });
});
