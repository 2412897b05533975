/**
 * Whether the worker that recorded a pending file (schema.ts PendingRecord) still lives: it holds
 * a Web Lock named after itself until it ends, and the browser releases the lock when the worker,
 * its page or the whole browser goes. Without Web Locks every owner counts as gone.
 */

const lockName = (owner: string) => `grounded:adding:${owner}`;

function locks(): LockManager | undefined {
  return (globalThis.navigator as Navigator | undefined)?.locks;
}

/** Takes `owner`'s lock for as long as this thread lives; resolves once it is held. */
export function holdOwnerLock(owner: string): Promise<void> {
  const manager = locks();
  if (!manager) return Promise.resolve();
  return new Promise((resolve, reject) => {
    manager
      .request(lockName(owner), () => {
        resolve();
        return new Promise<never>(() => {});
      })
      .catch(reject);
  });
}

/** Resolves once `owner`'s lock is free: that worker has ended, and its adding with it. */
export async function whenOwnerGone(owner: string): Promise<void> {
  await locks()?.request(lockName(owner), () => {});
}
