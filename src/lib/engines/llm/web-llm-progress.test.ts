import { describe, expect, test } from 'vitest';
import { backendFrom, toLoadProgress } from './web-llm-progress';

const MIB = 1024 * 1024;

// Texts as web-llm 0.2.86 (tvmjs fetchTensorCacheInternal, asyncLoadWebGPUPipelines) builds them.
describe('web-llm progress reports', () => {
  test('while downloading: bytes so far, the total they imply, and a short text', () => {
    const progress = toLoadProgress({
      progress: 0.25,
      timeElapsed: 5,
      text:
        'Fetching param cache[6/24]: 100MB fetched. 25% completed, 5 secs elapsed. ' +
        'It can take a while when we first visit this page to populate the cache. ' +
        'Later refreshes will become faster.',
    });
    expect(progress).toEqual({
      loaded: 100 * MIB,
      total: 400 * MIB,
      fraction: 0.25,
      text: 'Fetching param cache[6/24]',
    });
  });

  test('while loading from the cache onto the GPU', () => {
    const progress = toLoadProgress({
      progress: 0.5,
      timeElapsed: 2,
      text: 'Loading model from cache[12/24]: 200MB loaded. 50% completed, 2 secs elapsed.',
    });
    expect(progress).toEqual({
      loaded: 200 * MIB,
      total: 400 * MIB,
      fraction: 0.5,
      text: 'Loading model from cache[12/24]',
    });
  });

  test('shader compilation has a fraction but no bytes', () => {
    expect(
      toLoadProgress({
        progress: 0.225,
        timeElapsed: 3,
        text: 'Loading GPU shader modules[9/40]: 22% completed, 3 secs elapsed.',
      }),
    ).toEqual({ loaded: 0, total: 0, fraction: 0.225, text: 'Loading GPU shader modules[9/40]' });
  });

  test('the first report has no bytes yet and does not divide by zero', () => {
    expect(toLoadProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' })).toEqual({
      loaded: 0,
      total: 0,
      fraction: 0,
      text: 'Start to fetch params',
    });
    expect(
      toLoadProgress({
        progress: 0,
        timeElapsed: 0,
        text: 'Fetching param cache[0/24]: 0MB fetched. 0% completed, 0 secs elapsed.',
      }).total,
    ).toBe(0);
  });

  test('fractions outside 0–1 are clamped', () => {
    expect(toLoadProgress({ progress: 1.0000001, timeElapsed: 0, text: '' }).fraction).toBe(1);
    expect(toLoadProgress({ progress: NaN, timeElapsed: 0, text: '' }).fraction).toBe(0);
  });

  test('the last report names the GPU', () => {
    const text = 'Finish loading on WebGPU - google swiftshader';
    expect(toLoadProgress({ progress: 1, timeElapsed: 9, text }).text).toBe(text);
    expect(backendFrom(text)).toBe('WebGPU - google swiftshader');
    expect(backendFrom('Loading GPU shader modules[9/40]')).toBeUndefined();
  });
});
