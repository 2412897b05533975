/**
 * Whether the app works with the network off, and if not, what is missing: the app itself
 * (precached by the service worker) and each model the person has chosen (kept in its engine's
 * own cache).
 */

/**
 * The service worker's precache: `ready` once a worker is active (its install, which fills the
 * precache, has finished); `development` on the dev server (`npm run dev`), which has none.
 */
export type ShellState =
  'checking' | 'installing' | 'ready' | 'failed' | 'unsupported' | 'insecure' | 'development';

/** A model that is downloaded once and then read from the browser's storage. */
export interface CachedModelNeed {
  label: string;
  /** undefined while the cache is being read. */
  cached: boolean | undefined;
}

/**
 * The language model: not known yet (the model list is being read), none chosen, one downloaded
 * from the hub or a mirror, or a file on disk.
 */
export type LanguageModelNeed =
  | { kind: 'unknown' }
  | { kind: 'none' }
  | ({ kind: 'download' } & CachedModelNeed)
  | { kind: 'file'; label: string };

export interface OfflineInputs {
  shell: ShellState;
  embedder: CachedModelNeed;
  languageModel: LanguageModelNeed;
  /** null when reranking is off. */
  reranker: CachedModelNeed | null;
}

export interface OfflineReadiness {
  ready: boolean;
  /** Something is still being read: the verdict may change without anything being downloaded. */
  checking: boolean;
  /** One line for the header: "Offline ready" or "Offline: …" naming what is missing. */
  summary: string;
  /** Each missing piece, as in the summary. */
  missing: string[];
  /** What to do, and caveats that do not stop the app working offline. */
  notes: string[];
}

const SHELL_MISSING: Record<Exclude<ShellState, 'ready' | 'checking'>, string> = {
  installing: 'app not cached yet',
  failed: 'the app could not be cached',
  unsupported: 'this browser cannot keep the app for offline use',
  // Browsers keep pages (service workers) only from https:// or localhost: on a workshop's local
  // network, http://192.168.… is neither.
  insecure:
    'the page is served over plain http, so the browser cannot keep it: serve Grounded over ' +
    'https (or open it at localhost) for offline use',
  development: 'the development server does not cache the app',
};

export function offlineReadiness({
  shell,
  embedder,
  languageModel,
  reranker,
}: OfflineInputs): OfflineReadiness {
  const missing: string[] = [];
  const notes: string[] = [];
  let checking = shell === 'checking';
  if (shell !== 'ready' && shell !== 'checking') missing.push(SHELL_MISSING[shell]);

  const need = (what: string, model: CachedModelNeed) => {
    if (model.cached === undefined) checking = true;
    else if (!model.cached) missing.push(`needs the ${what} ${model.label}`);
  };
  need('embedding model', embedder);
  if (languageModel.kind === 'unknown') checking = true;
  else if (languageModel.kind === 'none') missing.push('needs a language model');
  else if (languageModel.kind === 'download') need('language model', languageModel);
  else if (languageModel.kind === 'file') {
    notes.push(
      `${languageModel.label} was loaded from a file: after a reload, pick it again with ` +
        'Load model file (it is read from this device, so that works offline too).',
    );
  }
  if (reranker) need('reranker', reranker);

  const downloads = missing.some((m) => m.startsWith('needs the '));
  if (downloads) notes.unshift('Load them once while online; the browser keeps them.');
  if (languageModel.kind === 'none') {
    notes.unshift('Pick a language model and press Load model while online.');
  }

  const ready = missing.length === 0 && !checking;
  const summary = ready
    ? 'Offline ready'
    : missing.length > 0
      ? `Offline: ${missing.join('; ')}`
      : 'Offline: checking what is cached…';
  return { ready, checking, summary, missing, notes };
}
