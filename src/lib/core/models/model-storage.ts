/**
 * What the Storage panel counts and says: which downloaded files belong to which model, what
 * each document takes, and what a "Delete everything" that stopped part-way left behind.
 */

import type { DocumentRecord } from '../kb/documents';

/** One file in a model cache, keyed by the URL it was downloaded from. */
export interface CachedFile {
  url: string;
  bytes: number;
}

export interface RepoFiles {
  /** Hugging Face repository, owner/name. */
  repo: string;
  bytes: number;
  files: number;
}

/**
 * The repository of a Hugging Face-style file URL, `<host>[/<prefix>]/<owner>/<name>/resolve/
 * <revision>/<file>` — the hub's and a `models=` mirror's layout; null for any other URL.
 */
export function repoOfUrl(url: string): string | null {
  let path: string[];
  try {
    path = new URL(url).pathname.split('/');
  } catch {
    return null;
  }
  const resolve = path.lastIndexOf('resolve');
  if (resolve < 3 || resolve + 2 >= path.length) return null;
  const owner = decodeURIComponent(path[resolve - 2]!);
  const name = decodeURIComponent(path[resolve - 1]!);
  return owner && name ? `${owner}/${name}` : null;
}

/** Files grouped by repository, largest first; files of no repository are `other`. */
export function groupByRepo(files: readonly CachedFile[]): {
  repos: RepoFiles[];
  other: CachedFile[];
} {
  const byRepo = new Map<string, RepoFiles>();
  const other: CachedFile[] = [];
  for (const file of files) {
    const repo = repoOfUrl(file.url);
    if (!repo) {
      other.push(file);
      continue;
    }
    const entry = byRepo.get(repo) ?? { repo, bytes: 0, files: 0 };
    entry.bytes += file.bytes;
    entry.files += 1;
    byRepo.set(repo, entry);
  }
  return { repos: [...byRepo.values()].sort((a, b) => b.bytes - a.bytes), other };
}

/** A document's share of the knowledge base (the same count as core/web/storage-usage.ts). */
export interface DocumentFootprint {
  id: string;
  name: string;
  /** Text, stored whole and again in its chunks (UTF-16), plus its vectors. */
  bytes: number;
}

/** Every document with what it takes, largest first. */
export function documentFootprints(
  documents: readonly DocumentRecord[],
  dimension: number,
): DocumentFootprint[] {
  return documents
    .map((d) => ({
      id: d.id,
      name: d.name,
      bytes: d.charCount * 2 * 2 + d.chunkCount * dimension * 4,
    }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/** One step of "Delete everything": what it deletes, and why it failed if it did. */
export interface DeletionStep {
  what: string;
  error?: string;
}

/**
 * Null when every step succeeded; otherwise a sentence naming what could not be deleted and why,
 * what was deleted, and what to do.
 */
export function deletionProblem(steps: readonly DeletionStep[]): string | null {
  const failed = steps.filter((s) => s.error !== undefined);
  if (failed.length === 0) return null;
  const done = steps.filter((s) => s.error === undefined).map((s) => s.what);
  const left = failed.map((s) => `${s.what} (${s.error})`).join('; ');
  return (
    `Delete everything did not finish. Still stored: ${left}.` +
    (done.length > 0 ? ` Deleted: ${done.join(', ')}.` : ' Nothing was deleted.') +
    ' Press Delete everything again to retry, or reload the page first if it keeps failing.'
  );
}
