import { describe, expect, test } from 'vitest';
import { offlineReadiness, type OfflineInputs } from './offline-readiness';

const everything: OfflineInputs = {
  shell: 'ready',
  embedder: { label: 'all-MiniLM-L6-v2', cached: true },
  languageModel: { kind: 'download', label: 'Qwen2.5 0.5B Instruct', cached: true },
  reranker: null,
};

describe('offlineReadiness', () => {
  test('is ready only when the app and every chosen model are cached', () => {
    const result = offlineReadiness(everything);
    expect(result).toMatchObject({ ready: true, checking: false, summary: 'Offline ready' });
    expect(result.missing).toEqual([]);
  });

  test('names what is missing, app first', () => {
    const result = offlineReadiness({
      ...everything,
      shell: 'installing',
      embedder: { label: 'tiny-embedder', cached: false },
      languageModel: { kind: 'download', label: 'stories260K.gguf (GGUF, CPU)', cached: false },
    });
    expect(result.ready).toBe(false);
    expect(result.summary).toBe(
      'Offline: app not cached yet; needs the embedding model tiny-embedder; ' +
        'needs the language model stories260K.gguf (GGUF, CPU)',
    );
    expect(result.notes[0]).toMatch(/once while online/);
  });

  test('the reranker counts only when it is on', () => {
    const off = offlineReadiness({ ...everything, reranker: null });
    expect(off.ready).toBe(true);
    const on = offlineReadiness({
      ...everything,
      reranker: { label: 'ms-marco-MiniLM-L-6-v2', cached: false },
    });
    expect(on.ready).toBe(false);
    expect(on.summary).toBe('Offline: needs the reranker ms-marco-MiniLM-L-6-v2');
  });

  test('a model file from disk works offline but must be picked again after a reload', () => {
    const result = offlineReadiness({
      ...everything,
      languageModel: { kind: 'file', label: 'stories260K.gguf' },
    });
    expect(result.ready).toBe(true);
    expect(result.notes.join(' ')).toMatch(
      /stories260K\.gguf .*pick it again with Load model file/,
    );
  });

  test('without a language model it says to choose one', () => {
    const result = offlineReadiness({ ...everything, languageModel: { kind: 'none' } });
    expect(result.ready).toBe(false);
    expect(result.summary).toBe('Offline: needs a language model');
    expect(result.notes[0]).toMatch(/Load model/);
  });

  test('is not ready while a cache is still being read, and says so when nothing is missing', () => {
    const result = offlineReadiness({
      ...everything,
      embedder: { label: 'all-MiniLM-L6-v2', cached: undefined },
    });
    expect(result).toMatchObject({ ready: false, checking: true });
    expect(result.summary).toMatch(/checking/);
    expect(offlineReadiness({ ...everything, shell: 'checking' }).ready).toBe(false);
    const listing = offlineReadiness({ ...everything, languageModel: { kind: 'unknown' } });
    expect(listing).toMatchObject({ ready: false, checking: true });
  });

  test('explains a development build and a browser without service workers', () => {
    expect(offlineReadiness({ ...everything, shell: 'development' }).summary).toMatch(
      /development server/,
    );
    expect(offlineReadiness({ ...everything, shell: 'unsupported' }).summary).toMatch(
      /cannot keep the app/,
    );
    expect(offlineReadiness({ ...everything, shell: 'failed' }).summary).toMatch(
      /could not be cached/,
    );
  });

  test('a page on plain http (a workshop’s local network) is told to use https', () => {
    const verdict = offlineReadiness({ ...everything, shell: 'insecure' });
    expect(verdict.ready).toBe(false);
    expect(verdict.summary).toMatch(/plain http.*serve Grounded over https/);
  });
});
