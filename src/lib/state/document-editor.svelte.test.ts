import { describe, expect, test } from 'vitest';
import type { DocumentRecord } from '../core/kb/documents';
import type { KnowledgeBase } from '../storage/knowledge-base';
import type { PendingRecord } from '../storage/schema';
import { Alerts } from './alerts.svelte';
import { DocumentEditor } from './document-editor.svelte';
import type { FileJob, Ingest } from './ingest.svelte';

const doc = (name: string, format: DocumentRecord['format'] = 'markdown'): DocumentRecord => ({
  id: `id-${name}`,
  name,
  size: 10,
  format,
  addedAt: 0,
  chunkCount: 1,
  charCount: 10,
  contentHash: `hash-${name}`,
  modelId: 'test/model',
  chunking: { targetTokens: 64, overlapTokens: 0 },
  warnings: [],
});

/** localStorage's interface over a Map. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

/**
 * An editor over stored texts, whose saves end as `outcome` says; `saves` records what was
 * sent (file name, text, the document replaced) and the draft kept at that moment.
 */
function setup(texts: Record<string, string>, outcome: Partial<FileJob> = { stage: 'done' }) {
  const storage = memoryStorage();
  const saves: { name: string; text: string; replaces: string; draft: string | null }[] = [];
  const kb = Promise.resolve({
    documents: { getText: async (id: string) => texts[id] },
  } as unknown as KnowledgeBase);
  const ingest = {
    async replace(file: File, replaces: string) {
      saves.push({
        name: file.name,
        text: await file.text(),
        replaces,
        draft: storage.getItem('grounded.edit-draft'),
      });
      const stored = outcome.stage === 'done' ? { ...doc(file.name), id: 'new-id' } : null;
      return { document: stored, message: null, ...outcome } as FileJob;
    },
  } as unknown as Ingest;
  const alerts = new Alerts();
  const editor = new DocumentEditor({ kb, ingest, alerts, storage });
  return { editor, saves, alerts, storage };
}

describe('DocumentEditor', () => {
  test('opens the stored text; unchanged text is not saved', async () => {
    const notes = doc('notes.md');
    const { editor, saves } = setup({ [notes.id]: '# Notes\r\n\r\nThe key is in the red tin.' });
    await editor.open(notes);
    expect(editor.status).toBe('editing');
    expect(editor.text).toBe('# Notes\r\n\r\nThe key is in the red tin.');
    // What a text box gives back for it: line feeds only.
    editor.text = '# Notes\n\nThe key is in the red tin.';
    expect(editor.changed).toBe(false);
    expect(await editor.save()).toBeNull();
    expect(saves).toEqual([]);
  });

  test('saves the edit as the new version, keeping a draft only while it is saved', async () => {
    const report = doc('report.pdf', 'pdf');
    const { editor, saves, storage } = setup({ [report.id]: 'Page one.\n\nPage two.' });
    await editor.open(report);
    expect(editor.version).toMatchObject({ name: 'report.pdf.txt', format: 'plain' });
    editor.text = 'Page one, edited.\n\nPage two.';
    const saved = await editor.save();
    expect(saved?.id).toBe('new-id');
    expect(saves).toEqual([
      {
        name: 'report.pdf.txt',
        text: 'Page one, edited.\n\nPage two.',
        replaces: report.id,
        draft: JSON.stringify({ docId: report.id, text: 'Page one, edited.\n\nPage two.' }),
      },
    ]);
    expect(editor.document).toBeNull();
    expect(storage.getItem('grounded.edit-draft')).toBeNull();
  });

  test('a failed save keeps the edited text open with an error naming the document', async () => {
    const notes = doc('notes.md');
    const { editor, alerts } = setup(
      { [notes.id]: 'old' },
      { stage: 'failed', message: '“notes.md” is too large.' },
    );
    await editor.open(notes);
    editor.text = 'new';
    expect(await editor.save()).toBeNull();
    expect(editor).toMatchObject({ status: 'editing', text: 'new', document: notes });
    expect(editor.error).toBe(
      '“notes.md” was not saved: “notes.md” is too large. The earlier version is unchanged, ' +
        'and your edited text is still here.',
    );
    expect(alerts.items).toEqual([]);

    editor.text = ' \n ';
    await editor.save();
    expect(editor.error).toMatch(/^“notes\.md” was not saved: its text is empty/);
  });

  test('an edit whose save the page closing cut short opens again; others are left alone', async () => {
    const notes = doc('notes.md');
    const first = setup({ [notes.id]: 'old' }, { stage: 'cancelled' });
    await first.editor.open(notes);
    first.editor.text = 'new';
    await first.editor.save();
    expect(first.editor.notice).toMatch(/^Saving “notes\.md” was cancelled\./);
    // The page closes here, mid-save: the draft stays behind.
    const draft = first.storage.getItem('grounded.edit-draft');
    expect(draft).not.toBeNull();

    const next = setup({ [notes.id]: 'old' });
    next.storage.setItem('grounded.edit-draft', draft!);
    const record = (name: string, replaces?: string): PendingRecord => ({
      owner: 'gone',
      seq: 1,
      name,
      size: 3,
      startedAt: 0,
      ...(replaces && { replaces }),
    });
    const other = record('other.txt');
    const rest = next.editor.recover([record('notes.md', notes.id), other], [notes]);
    expect(rest).toEqual([other]);
    await expect.poll(() => next.editor.status).toBe('editing');
    expect(next.editor.text).toBe('new');
    expect(next.editor.notice).toMatch(/^Your edit of “notes\.md” was being saved when the page/);

    // Stored after all (the earlier version is gone): nothing to open, and the draft goes.
    const stored = setup({});
    stored.storage.setItem('grounded.edit-draft', draft!);
    expect(stored.editor.recover([], [])).toEqual([]);
    expect(stored.editor.document).toBeNull();
    expect(stored.storage.getItem('grounded.edit-draft')).toBeNull();
  });
});
