import { version as appVersion } from '../../../package.json';
import type { ChunkingOptions } from '../core/text/chunking';
import type { DocumentRecord } from '../core/kb/documents';
import { plural, messageOf } from '../core/text/format';
import {
  decodeKbFile,
  encodeKbFile,
  fitOf,
  KB_FILE_EXTENSION,
  KB_FILE_MIME,
  KbFileError,
  type KbFileContents,
} from '../core/kb/kb-file';
import { embeddingModelSpec } from '../core/models/embedding-catalogue';
import { readKnowledgeBase, storeKbFile } from '../storage/kb-transfer';
import { EmbeddingModelMismatchError } from '../storage/documents';
import type { KnowledgeBase } from '../storage/knowledge-base';
import type { EmbedMethods } from '../workers/embed/protocol';
import { isAbortError, type RpcClient } from '../workers/rpc';
import type { Alerts } from './alerts.svelte';
import type { Library } from './library.svelte';
import type { Settings } from './settings.svelte';

export interface TransferDeps {
  kb: Promise<KnowledgeBase>;
  library: Library;
  alerts: Alerts;
  settings: Settings;
  embed: RpcClient<EmbedMethods>;
  /** Resolves when the knowledge base's embedding model is loaded (waits for a re-embed). */
  prepare(): Promise<unknown>;
}

export type TransferProgress =
  | { kind: 'export'; stage: 'read'; done: number; total: number }
  | { kind: 'export'; stage: 'pack' }
  | { kind: 'import'; stage: 'read' | 'check' | 'store'; fileName: string }
  | { kind: 'import'; stage: 'embed'; fileName: string; done: number; total: number };

export interface ExportedFile {
  blob: Blob;
  fileName: string;
}

/**
 * Exports the knowledge base as one `.grounded` file, and imports one: everything is checked
 * before anything is written, and the documents are stored in one transaction, so an import
 * is whole or absent.
 *
 * Runs on the main thread: reading the file and hashing it are asynchronous (crypto.subtle
 * hashes off the page's thread), the vectors are read in place as one Float32Array, and the
 * one synchronous step, parsing the manifest, is done once. A worker would copy the documents
 * across to store them, for no gain.
 */
export class KbTransfer {
  /** What runs now, if anything: one export or import at a time. */
  progress = $state.raw<TransferProgress | null>(null);
  /** What the last import did, e.g. "Imported 8 documents (0 already present, skipped)". */
  summary = $state<string | null>(null);
  #deps: TransferDeps;

  constructor(deps: TransferDeps) {
    this.#deps = deps;
  }

  get busy(): boolean {
    return this.progress !== null;
  }

  /** The knowledge base as a file to download, or null when there is nothing to export. */
  async export(): Promise<ExportedFile | null> {
    if (this.busy) return null;
    const { kb, library, alerts, settings } = this.#deps;
    this.progress = { kind: 'export', stage: 'read', done: 0, total: library.documents.length };
    try {
      const contents = await readKnowledgeBase(await kb, {
        chunking: $state.snapshot(settings.chunking),
        appVersion,
        onProgress: ({ done, total }) =>
          (this.progress = { kind: 'export', stage: 'read', done, total }),
      });
      if (!contents || contents.documents.length === 0) {
        alerts.push('There are no documents to export: add some first.');
        return null;
      }
      this.progress = { kind: 'export', stage: 'pack' };
      const bytes = await encodeKbFile(contents);
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not shown
      const date = new Date(contents.createdAt).toISOString().slice(0, 10);
      return {
        blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: KB_FILE_MIME }),
        fileName: `knowledge-base-${date}${KB_FILE_EXTENSION}`,
      };
    } catch (error) {
      alerts.push(
        `Could not export the knowledge base: ${messageOf(error)} Nothing was downloaded.`,
      );
      return null;
    } finally {
      this.progress = null;
    }
  }

  /**
   * Imports a knowledge base file. A file made with another model than the knowledge base's is
   * refused with an offer to embed its texts again with the knowledge base's model.
   */
  async import(file: File): Promise<void> {
    if (this.busy) return;
    const { kb, alerts } = this.#deps;
    this.summary = null;
    this.progress = { kind: 'import', stage: 'read', fileName: file.name };
    try {
      const contents = await this.#read(file);
      const store = await kb;
      const fit = fitOf(
        contents,
        await store.documents.meta(),
        file.name,
        embeddingModelSpec(contents.modelId).dimension,
      );
      if (fit.kind === 'other-model') {
        this.#offerReembed(file, fit.fileModel, fit.knowledgeBaseModel);
        return;
      }
      this.progress = { kind: 'import', stage: 'store', fileName: file.name };
      const { added, skipped } = await storeKbFile(store, contents, file.name);
      if (fit.kind === 'adopt' && added.length > 0) this.#adopt(contents);
      await this.#announce(added, skipped, file.name);
    } catch (error) {
      alerts.push(this.#explain(error, file.name));
    } finally {
      this.progress = null;
    }
  }

  /** Imports the texts of a file made with another model, embedded with the knowledge base's. */
  async importReembedded(file: File): Promise<void> {
    if (this.busy) return;
    const { alerts, embed, settings, prepare } = this.#deps;
    this.summary = null;
    this.progress = { kind: 'import', stage: 'read', fileName: file.name };
    try {
      const contents = await this.#read(file);
      await prepare();
      const { added, skipped } = await embed.call(
        'import-texts',
        {
          documents: contents.documents.map(({ document, text }) => ({ document, text })),
          chunking: $state.snapshot(settings.chunking),
          label: file.name,
        },
        {
          onProgress: ({ done, total }) =>
            (this.progress = { kind: 'import', stage: 'embed', fileName: file.name, done, total }),
        },
      );
      await this.#announce(added, skipped, file.name);
    } catch (error) {
      if (!isAbortError(error)) alerts.push(this.#explain(error, file.name));
    } finally {
      this.progress = null;
    }
  }

  async #read(file: File): Promise<KbFileContents> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.progress = { kind: 'import', stage: 'check', fileName: file.name };
    return decodeKbFile(bytes, file.name);
  }

  #offerReembed(file: File, fileModel: string, knowledgeBaseModel: string): void {
    const target = embeddingModelSpec(knowledgeBaseModel).label;
    this.#deps.alerts.push(
      `“${file.name}” was embedded with ${fileModel}, but this knowledge base uses ` +
        `${knowledgeBaseModel}: vectors of two models cannot be searched together, so nothing ` +
        `was imported. Its documents' texts are in the file: import them re-embedded with ` +
        `${target} (this takes a while), or import the file into an empty knowledge base.`,
      'error',
      { label: `Import re-embedded with ${target}`, run: () => void this.importReembedded(file) },
    );
  }

  /** An empty knowledge base takes the file's model and chunking, so what is added next fits. */
  #adopt({ modelId, chunking }: { modelId: string; chunking: ChunkingOptions }): void {
    const { settings } = this.#deps;
    if (settings.embeddingModel === modelId && sameChunking(settings.chunking, chunking)) return;
    settings.embeddingModel = modelId;
    settings.chunking = { ...chunking };
    settings.save();
  }

  /** Tells the search worker, the list and the other tabs, then says what was imported. */
  async #announce(added: DocumentRecord[], skipped: DocumentRecord[], fileName: string) {
    const { library } = this.#deps;
    for (const document of added) await library.stored(document);
    if (added.length === 0) await library.refresh();
    this.summary =
      `Imported ${plural(added.length, 'document')} (${skipped.length} already present, ` +
      `skipped) from “${fileName}”.`;
  }

  #explain(error: unknown, fileName: string): string {
    if (error instanceof KbFileError) return error.message;
    if (error instanceof EmbeddingModelMismatchError) {
      // Another tab stored documents of another model meanwhile.
      return `“${fileName}” was not imported: ${error.message}`;
    }
    if ((error as { name?: unknown } | null)?.name === 'StorageFullError') {
      return (
        `There is no room left in this browser's storage for “${fileName}”, so nothing of it ` +
        'was imported. Delete documents or downloaded language models you no longer need, then ' +
        'import it again.'
      );
    }
    return `Could not import “${fileName}”: ${messageOf(error)} Nothing was imported.`;
  }
}

function sameChunking(a: ChunkingOptions, b: ChunkingOptions): boolean {
  return a.targetTokens === b.targetTokens && a.overlapTokens === b.overlapTokens;
}
