import { editedVersion, isUnchanged } from '../core/kb/edit';
import type { DocumentRecord } from '../core/kb/documents';
import { messageOf } from '../core/text/format';
import { formatFromName } from '../ingest/detect-type';
import type { KnowledgeBase } from '../storage/knowledge-base';
import type { PendingRecord } from '../storage/schema';
import type { Alerts } from './alerts.svelte';
import type { Ingest } from './ingest.svelte';

export type EditorStatus = 'loading' | 'editing' | 'saving';

/**
 * The edited text being saved, kept in localStorage until the editor closes: if the page closes
 * before the new version is stored, the next start opens it again. (The knowledge base keeps
 * the earlier version either way; this keeps the edit.)
 */
const DRAFT_KEY = 'grounded.edit-draft';

interface Draft {
  docId: string;
  text: string;
}

export interface EditorDeps {
  kb: Promise<KnowledgeBase>;
  ingest: Ingest;
  alerts: Alerts;
  /** Where the draft of a save in progress is kept; none in tests or without localStorage. */
  storage: Storage | undefined;
}

/**
 * Editing one stored document's text at a time (its extracted text, for a PDF or a Word
 * document). Saving adds the edited text as the document's new version through the ingest
 * path (Ingest.replace): chunked and embedded again, then stored in the transaction that
 * deletes the earlier version, which stays until then — a failed or interrupted save loses
 * neither it nor the edited text.
 */
export class DocumentEditor {
  /** The document being edited, while the editor is open. */
  document = $state.raw<DocumentRecord | null>(null);
  status = $state<EditorStatus>('loading');
  text = $state('');
  /** Why the last save failed, naming the document; shown as an alert in the editor. */
  error = $state<string | null>(null);
  /** Something to know that is not a failure: a cancelled save, a recovered edit. */
  notice = $state<string | null>(null);
  /** The name and format the edited text is saved under. */
  version = $derived(
    this.document &&
      editedVersion(this.document.name, this.document.format, formatFromName(this.document.name)),
  );
  #stored = $state.raw('');
  changed = $derived(this.status !== 'loading' && !isUnchanged(this.#stored, this.text));
  #deps: EditorDeps;

  constructor(deps: EditorDeps) {
    this.#deps = deps;
  }

  /** Opens `doc`'s stored text, with `draft` in the text box instead when given. */
  async open(doc: DocumentRecord, draft?: string): Promise<void> {
    this.document = doc;
    this.status = 'loading';
    this.text = '';
    this.error = null;
    this.notice = null;
    let text: string | undefined;
    try {
      text = await (await this.#deps.kb).documents.getText(doc.id);
    } catch (error) {
      if (this.document === doc) {
        this.close();
        this.#deps.alerts.push(`Could not open “${doc.name}” to edit it: ${messageOf(error)}`);
      }
      return;
    }
    // Another document was opened, or this one closed, meanwhile.
    if (this.document !== doc) return;
    if (text === undefined) {
      this.close();
      this.#deps.alerts.push(
        `Could not open “${doc.name}” to edit it: it is no longer in the knowledge base.`,
      );
      return;
    }
    this.#stored = text;
    this.text = draft ?? text;
    this.status = 'editing';
  }

  /** Closes the editor, dropping the edited text (Cancel), unless a save is running. */
  close(): void {
    if (this.status === 'saving') return;
    this.document = null;
    this.status = 'loading';
    this.text = '';
    this.#stored = '';
    this.error = null;
    this.notice = null;
    this.#dropDraft();
  }

  /**
   * Saves the edited text as the document's new version and closes the editor; resolves with
   * the stored document. Unchanged text is not embedded again. On failure the earlier version
   * stays, the editor stays open with the edited text, `error` says why, and it resolves null.
   */
  async save(): Promise<DocumentRecord | null> {
    const doc = this.document;
    const version = this.version;
    if (!doc || !version || this.status !== 'editing' || !this.changed) return null;
    this.error = null;
    this.notice = null;
    const text = this.text;
    if (text.trim() === '') {
      this.error =
        `“${doc.name}” was not saved: its text is empty, and a document needs text to search. ` +
        'To remove the document, use its Delete button.';
      return null;
    }
    this.status = 'saving';
    this.#keepDraft({ docId: doc.id, text });
    const file = new File([text], version.name, { type: 'text/plain' });
    const job = await this.#deps.ingest.replace(file, doc.id);
    this.status = 'editing';
    if (job.stage === 'done' && job.document) {
      this.close();
      return job.document;
    }
    const kept = 'The earlier version is unchanged, and your edited text is still here.';
    if (job.stage === 'cancelled') {
      this.notice = `Saving “${doc.name}” was cancelled. ${kept}`;
    } else {
      this.error = `“${doc.name}” was not saved: ${job.message ?? 'it could not be added.'} ${kept}`;
    }
    return null;
  }

  /**
   * Of `interrupted` (files whose adding the page's closing cut short, see watchInterrupted),
   * the save of this tab's kept edit, if there is one: its editor is opened again with the
   * edited text, and a notice says so. Returns the other records, for the usual message.
   */
  recover(interrupted: PendingRecord[], documents: DocumentRecord[]): PendingRecord[] {
    const draft = this.#readDraft();
    if (!draft || this.document) return interrupted;
    const doc = documents.find((d) => d.id === draft.docId);
    const record = interrupted.find((r) => r.replaces === draft.docId);
    if (!doc) {
      // Its save was stored after all, or it was deleted: nothing to open again.
      this.#dropDraft();
      return interrupted;
    }
    if (!record) return interrupted;
    void this.open(doc, draft.text).then(() => {
      if (this.document === doc) {
        this.notice =
          `Your edit of “${doc.name}” was being saved when the page closed, so it was not ` +
          'saved; the earlier version is still there. Here is your edited text again: Save it, ' +
          'or Cancel to drop it.';
      }
    });
    return interrupted.filter((r) => r !== record);
  }

  #keepDraft(draft: Draft): void {
    try {
      this.#deps.storage?.setItem(DRAFT_KEY, JSON.stringify(draft));
    } catch {
      // Too large for localStorage: the save goes on; only a closed page would lose the edit.
    }
  }

  #readDraft(): Draft | null {
    try {
      const raw = this.#deps.storage?.getItem(DRAFT_KEY);
      const draft = raw ? (JSON.parse(raw) as Partial<Draft>) : null;
      return typeof draft?.docId === 'string' && typeof draft.text === 'string'
        ? { docId: draft.docId, text: draft.text }
        : null;
    } catch {
      return null;
    }
  }

  #dropDraft(): void {
    try {
      this.#deps.storage?.removeItem(DRAFT_KEY);
    } catch {
      // Nothing kept, or storage unavailable.
    }
  }
}
