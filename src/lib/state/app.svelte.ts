import { messageOf } from '../core/text/format';
import { knowledgeBaseSize } from '../core/web/storage-usage';
import { KnowledgeBase } from '../storage/knowledge-base';
import type { RpcClient } from '../workers/rpc';
import type { SearchMethods } from '../workers/search/protocol';
import type { EmbedMethods, ReembedProgress } from '../workers/embed/protocol';
import { isAbortError } from '../workers/rpc';
import { Alerts } from './alerts.svelte';
import { SupportChecker } from './support-checker';
import { Answers } from './answers.svelte';
import { Evaluation } from './evaluation.svelte';
import { Ask } from './ask.svelte';
import { EmbedderState } from './embedder.svelte';
import { DocumentEditor } from './document-editor.svelte';
import { Ingest } from './ingest.svelte';
import { interruptedMessage, watchInterrupted } from './interrupted';
import { Library } from './library.svelte';
import { Models } from './models.svelte';
import { RerankerState } from './reranker.svelte';
import { loadSampleFiles } from './samples';
import { Settings } from './settings.svelte';
import { StorageStatus } from './storage.svelte';
import { KbTransfer } from './kb-transfer.svelte';
import { StorageInventory } from './storage-inventory.svelte';
import { startEmbedWorker } from '../workers/embed/client';
import { startSearchWorker } from '../workers/search/client';

/** Everything the interface shows, wired together; one per page. */
export class GroundedApp {
  readonly settings: Settings;
  readonly alerts = new Alerts();
  readonly embedder: EmbedderState;
  readonly library: Library;
  readonly ingest: Ingest;
  readonly editor: DocumentEditor;
  readonly ask: Ask;
  readonly models: Models;
  readonly reranker: RerankerState;
  readonly answers: Answers;
  readonly evaluation: Evaluation;
  readonly storage = new StorageStatus();
  readonly transfer: KbTransfer;
  /** Downloaded models and documents, for the Storage panel. */
  readonly inventory: StorageInventory = new StorageInventory(this);
  loadingSamples = $state(false);
  /** Re-embedding progress, while it runs. */
  reembedding = $state.raw<ReembedProgress | null>(null);
  #reembedAbort: AbortController | null = null;
  /** Settles when the running re-embed ends; questions and new files wait for it. */
  #reembedDone: Promise<void> = Promise.resolve();
  #embed: RpcClient<EmbedMethods>;
  #search: RpcClient<SearchMethods>;
  /** Counts questions asked (and stops): a question waiting for the model knows if it is still the latest. */
  #questions = 0;
  #kb: Promise<KnowledgeBase>;

  /** The model that embeds questions and new documents: the knowledge base's, once it has one. */
  get activeModelId(): string {
    return this.library.meta?.modelId ?? this.settings.embeddingModel;
  }

  /** The settings ask for another model than the stored vectors were made with. */
  get modelMismatch(): boolean {
    return this.library.meta !== null && this.library.meta.modelId !== this.settings.embeddingModel;
  }

  constructor(url: URL, storage: Storage | undefined) {
    this.settings = new Settings(storage, url);
    const onCrash = (error: Error) => this.alerts.push(error.message);
    const embed = startEmbedWorker(onCrash);
    const search = startSearchWorker(onCrash);
    const reload = { label: 'Reload', run: () => globalThis.location.reload() };
    const kb = KnowledgeBase.open(undefined, {
      onVersionChange: () =>
        this.alerts.push(
          'Grounded was updated in another tab, so this tab has let go of the database. Reload ' +
            'this page to keep using it; your documents are safe.',
          'notice',
          reload,
        ),
      onBlocked: () =>
        this.alerts.push(
          'An older version of Grounded open in another tab is keeping the database from being ' +
            'upgraded. Close or reload that tab; this one then continues by itself.',
          'notice',
        ),
      onTerminated: () =>
        this.alerts.push(
          'The browser closed the on-device database (it was cleared, or the disk failed). ' +
            'Reload the page to open it again.',
          'error',
          reload,
        ),
    });
    this.#kb = kb;
    kb.catch((error: Error) =>
      this.alerts.push(
        `Could not open the on-device database (${error.message}). Grounded needs IndexedDB; private windows in some browsers disable it.`,
      ),
    );
    this.embedder = new EmbedderState(embed, this.settings, storage);
    this.library = new Library(kb, search, {
      onSyncError: (message) => this.alerts.push(message, 'notice', reload),
    });
    // The model is only known once a running re-embed has decided it.
    const prepare = async () => {
      await this.#reembedDone;
      return this.embedder.ensureLoaded(this.activeModelId);
    };
    this.ingest = new Ingest(embed, {
      prepare,
      chunking: () => $state.snapshot(this.settings.chunking),
      maxBytes: () => Math.round(this.settings.maxDocumentMB * 1_000_000),
      named: (name) => this.library.named(name),
      stored: async (document, replaced) => {
        await this.library.stored(document, replaced);
        // Once there is something to lose, ask the browser not to clear it.
        void this.storage.requestPersistence();
        this.storage.refreshSoon();
      },
      failed: (message) => this.alerts.push(message),
      storageFull: (fileName) => void this.#storageFull(fileName),
    });
    this.editor = new DocumentEditor({ kb, ingest: this.ingest, alerts: this.alerts, storage });
    this.transfer = new KbTransfer({
      kb,
      library: this.library,
      alerts: this.alerts,
      settings: this.settings,
      embed,
      prepare,
    });
    this.reranker = new RerankerState(this.settings, (message) => this.alerts.push(message));
    this.ask = new Ask({
      embed,
      search,
      prepare,
      topK: () => this.settings.topK,
      reranker: () => (this.settings.rerank ? this.reranker : null),
      retrieval: () => {
        const { mode, fusion, rrfK, denseWeight } = this.settings.retrieval;
        return {
          mode,
          fusion:
            fusion === 'rrf' ? { method: 'rrf', k: rrfK } : { method: 'weighted', denseWeight },
        };
      },
    });
    this.models = new Models(this.settings, this.alerts);
    // One checker for Ask and the evaluation: it keeps the passages' sentence vectors.
    const checker = new SupportChecker(
      async (texts) => {
        await prepare();
        return embed.call('embed-texts', { texts });
      },
      () => this.activeModelId,
    );
    this.answers = new Answers((error) => this.models.crashed(error), checker);
    this.evaluation = new Evaluation({
      kb,
      library: this.library,
      ask: this.ask,
      answers: this.answers,
      models: this.models,
      settings: this.settings,
      alerts: this.alerts,
      embeddingModel: () => this.activeModelId,
      stopQuestion: () => this.stopQuestion(),
      storage,
      checker,
    });
    this.#search = search;
    this.#embed = embed;
  }

  async start(): Promise<void> {
    for (const problem of this.settings.problems) this.alerts.push(problem);
    this.models
      .start()
      .catch((error: Error) =>
        this.alerts.push(
          `Could not read what this device offers for language models: ${error.message}`,
        ),
      );
    void this.storage.refresh();
    void this.evaluation.start(import.meta.env.BASE_URL);
    try {
      await Promise.all([this.library.refresh(), this.#search.call('open', {})]);
      await watchInterrupted((await this.#kb).pending, (records) => {
        // An edit's save cut short opens again in its editor; the rest are files to add again.
        const rest = this.editor.recover(records, this.library.documents);
        if (rest.length > 0) this.alerts.push(interruptedMessage(rest), 'notice');
      });
    } catch (error) {
      this.alerts.push(`Could not read the knowledge base: ${messageOf(error)}`);
      return;
    }
    // Warm the model (from the browser's cache) so the first question is answered quickly.
    if (this.library.documents.length > 0) {
      this.embedder.ensureLoaded(this.activeModelId).catch(() => {});
    }
  }

  /** Retrieves passages, then answers with and without them; supersedes a question in progress. */
  async askQuestion(): Promise<void> {
    // The evaluation has the engine to itself while it runs or writes questions; Ask is
    // disabled meanwhile.
    if (this.evaluation.busy) return;
    this.answers.stop();
    const question = ++this.#questions;
    const retrieved = await this.ask.run();
    if (!retrieved) return;
    if (this.models.status === 'loading' && !this.models.engine) {
      // The question waits for the model, as a person would, instead of asking to be asked again.
      const label = this.models.loading?.label ?? 'the language model';
      this.answers.wait(
        `Waiting for ${label} to finish loading: the answers start as soon as it is ready.`,
      );
      await this.models.settled();
      // Stopped, or another question asked meanwhile.
      if (question !== this.#questions || !this.answers.waiting) return;
    }
    const { engine, loaded } = this.models;
    if (!engine || !loaded) {
      this.answers.explain('Load a language model (under Language model) to see the answers.');
      return;
    }
    await this.answers.run({
      question: retrieved.question,
      passages: retrieved.passages,
      retrievalMs: retrieved.ms,
      engine,
      model: loaded,
      sampling: $state.snapshot(this.settings.sampling),
    });
  }

  /** Stops whatever the question started: retrieval and both answers. */
  stopQuestion(): void {
    this.#questions++;
    this.ask.cancel();
    this.answers.stop();
  }

  async loadSamples(): Promise<void> {
    this.loadingSamples = true;
    try {
      const files = await loadSampleFiles(import.meta.env.BASE_URL);
      await this.ingest.add(files);
    } catch (error) {
      this.alerts.push(messageOf(error));
    } finally {
      this.loadingSamples = false;
    }
  }

  /** Re-embeds every document with the model the settings ask for. */
  reembed(): Promise<void> {
    if (this.reembedding || this.ingest.running) return this.#reembedDone;
    this.#reembedDone = this.#runReembed();
    return this.#reembedDone;
  }

  async #runReembed(): Promise<void> {
    const target = this.settings.embeddingModel;
    const controller = new AbortController();
    this.#reembedAbort = controller;
    this.reembedding = { done: 0, total: this.library.documents.length, name: '' };
    try {
      await this.embedder.ensureLoaded(target);
      await this.#embed.call(
        'reembed',
        { chunking: $state.snapshot(this.settings.chunking) },
        { signal: controller.signal, onProgress: (p) => (this.reembedding = p) },
      );
      await Promise.all([this.library.refresh(), this.#search.call('open', {})]);
      this.library.reembedded();
    } catch (error) {
      if (!isAbortError(error)) {
        this.alerts.push(
          `Could not re-embed the documents with ${target}: ${messageOf(error)} Your documents still use ${this.library.meta?.modelId}.`,
        );
      }
    } finally {
      this.reembedding = null;
      this.#reembedAbort = null;
    }
  }

  cancelReembed(): void {
    this.#reembedAbort?.abort();
  }

  /** Explains a full disk: what was not added, what uses the space, what to do. */
  async #storageFull(fileName: string): Promise<void> {
    const { totalChunks, totalChars, meta } = this.library;
    const usage = await this.storage.describe(
      knowledgeBaseSize(totalChunks, meta?.dimension ?? 0, totalChars),
    );
    this.alerts.push(
      `There is no room left in this browser's storage for “${fileName}”, so it was not added ` +
        '(nor the files after it): nothing of it was kept, and the documents already stored are ' +
        `unchanged. ${usage} To make room, delete documents you no longer need, or downloaded ` +
        'language models (under Language model); freeing disk space on this device also raises ' +
        'what the browser allows. Then add the file again.',
    );
  }

  /** Goes back to the model the stored vectors were made with. */
  keepStoredModel(): void {
    if (!this.library.meta) return;
    this.settings.embeddingModel = this.library.meta.modelId;
    this.settings.save();
  }
}

/** Re-embedding progress, for the components (they do not import workers/). */
export type { ReembedProgress };
