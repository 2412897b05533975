import type { PendingFiles } from '../storage/pending';
import { whenOwnerGone } from '../storage/pending-owner';
import type { PendingRecord } from '../storage/schema';

/**
 * Finds files whose adding was interrupted (a reload, a crash, a closed tab): pending records
 * whose worker is gone. Nothing of them is stored — a document is written in one transaction —
 * so only the records are removed, and `report` tells the person. A worker still adding in
 * another tab is waited for: if that tab closes mid-way, this one reports it.
 */
export async function watchInterrupted(
  pending: PendingFiles,
  report: (records: PendingRecord[]) => void,
): Promise<void> {
  for (const owner of await pending.owners()) {
    void whenOwnerGone(owner)
      .then(() => pending.take(owner))
      .then((records) => {
        if (records.length > 0) report(records);
      })
      .catch(() => {
        // The connection closed (e.g. an upgrade elsewhere): the next start looks again.
      });
  }
}

/** What to tell the person about files whose adding was interrupted. */
export function interruptedMessage(records: PendingRecord[]): string {
  const replacing = records.filter((r) => r.replaces !== undefined);
  const adding = records.filter((r) => r.replaces === undefined);
  const sentences: string[] = [];
  if (adding.length === 1) {
    sentences.push(
      `${nameList(adding)} was being added when the page closed, so it was not added; add it again.`,
    );
  } else if (adding.length > 1) {
    sentences.push(
      `${adding.length} files were being added when the page closed and were not added ` +
        `(${nameList(adding)}); add them again.`,
    );
  }
  if (replacing.length === 1) {
    sentences.push(
      `${nameList(replacing)} was being replaced when the page closed: the earlier version is ` +
        'still there. Add the new one again to replace it.',
    );
  } else if (replacing.length > 1) {
    sentences.push(
      `${nameList(replacing)} were being replaced when the page closed: the earlier versions ` +
        'are still there. Add the new ones again to replace them.',
    );
  }
  return sentences.join(' ');
}

/** “a.txt”, “b.txt” and “c.txt”; past four names, the first three and how many more. */
function nameList(records: PendingRecord[]): string {
  const names = records.map((r) => `“${r.name}”`);
  if (names.length === 1) return names[0]!;
  if (names.length > 4) return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
