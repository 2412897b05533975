import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, test } from 'vitest';
import { SCHEMA_VERSION, openGroundedDB } from './db';
import { KnowledgeBase } from './knowledge-base';
import { makeDoc } from './test-documents';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

/**
 * A database as a released version of the app left it, written out here rather than taken from
 * `migrations`: the upgrade tests start from what users have, whatever the migrations say now.
 */
function openReleased(name: string, version: 1 | 3) {
  return openDB(name, version, {
    upgrade: (db) => {
      db.createObjectStore('meta');
      const documents = db.createObjectStore('documents', { keyPath: 'id' });
      documents.createIndex('by-hash', 'contentHash');
      documents.createIndex('by-name', 'name');
      db.createObjectStore('texts', { keyPath: 'docId' });
      db.createObjectStore('chunks', { keyPath: ['docId', 'ordinal'] });
      db.createObjectStore('vectors', { keyPath: ['docId', 'block'] });
      if (version < 3) return;
      db.createObjectStore('pending', { keyPath: ['owner', 'seq'] });
      db.createObjectStore('segments', { keyPath: 'id' });
      db.createObjectStore('keywords');
    },
  });
}

describe('the grounded database', () => {
  test('creates every store at the current schema version', async () => {
    const db = await openGroundedDB('schema');
    expect(db.version).toBe(SCHEMA_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'chunks',
      'documents',
      'evalRunSummaries',
      'evalRuns',
      'keywords',
      'meta',
      'pending',
      'segments',
      'texts',
      'vectors',
    ]);
    expect([...db.transaction('documents').store.indexNames].sort()).toEqual([
      'by-hash',
      'by-name',
    ]);
    db.close();
  });

  test('an open connection closes itself when another wants a newer schema', async () => {
    let told = false;
    const db = await openGroundedDB('upgrade', { onVersionChange: () => (told = true) });
    const newer = await openDB('upgrade', SCHEMA_VERSION + 1);
    expect(told).toBe(true);
    expect(newer.version).toBe(SCHEMA_VERSION + 1);
    newer.close();
    db.close();
  });

  test('a database of the first release gains the pending store and keeps its documents', async () => {
    const old = await openReleased('released', 1);
    await old.put('documents', makeDoc('a', 1).document);
    old.close();
    const kb = await KnowledgeBase.open('released');
    expect((await kb.documents.list()).map((d) => d.id)).toEqual(['a']);
    expect(await kb.pending.owners()).toEqual([]);
    kb.close();
  });

  test('a database of version 3 gains the evaluation run stores and keeps its documents', async () => {
    const old = await openReleased('version-3', 3);
    const doc = makeDoc('a', 2);
    await old.put('documents', doc.document);
    await old.put('texts', { docId: 'a', text: doc.text });
    for (const chunk of doc.chunks) await old.put('chunks', chunk);
    old.close();
    const kb = await KnowledgeBase.open('version-3');
    expect(kb.db.version).toBe(SCHEMA_VERSION);
    expect(await kb.documents.list()).toEqual([doc.document]);
    expect(await kb.documents.getText('a')).toBe(doc.text);
    expect(await kb.documents.chunksOf('a')).toEqual(doc.chunks);
    expect(await kb.evalRuns.list()).toEqual([]);
    kb.close();
  });

  test('a tab that opens an older schema is told when a newer one is blocked by it', async () => {
    let blocked = false;
    const old = await openDB('blocked', 1);
    // An older app version that does not close on versionchange.
    const opening = openGroundedDB('blocked', { onBlocked: () => (blocked = true) });
    await expect.poll(() => blocked).toBe(true);
    old.close();
    const db = await opening;
    expect(db.version).toBe(SCHEMA_VERSION);
    db.close();
  });
});
