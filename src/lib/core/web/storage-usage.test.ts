import { describe, expect, test } from 'vitest';
import { describeUsage, knowledgeBaseSize } from './storage-usage';

describe('describeUsage', () => {
  test('Chromium: the total, then models and IndexedDB with the documents’ share in it', () => {
    expect(
      describeUsage(
        {
          usage: 12_400_000,
          quota: 2_100_000_000,
          usageDetails: { caches: 9_500_000, indexedDB: 2_900_000, serviceWorkerRegistrations: 10 },
        },
        knowledgeBaseSize(1000, 384, 175_000),
      ),
    ).toBe(
      '12.4 MB of 2.1 GB in use: model files in the cache 9.5 MB, IndexedDB 2.9 MB, ' +
        'of which documents about 2.2 MB (vectors 1.5 MB, text 700 KB).',
    );
  });

  test('other browsers: the total and the documents’ own count', () => {
    expect(
      describeUsage({ usage: 5_000_000, quota: 10_000_000 }, knowledgeBaseSize(10, 4, 100)),
    ).toBe('5.0 MB of 10.0 MB in use: documents about 560 B (vectors 160 B, text 400 B).');
  });

  test('says so when the browser reports nothing', () => {
    expect(describeUsage({})).toBe('The browser does not say how much storage is in use.');
  });
});
