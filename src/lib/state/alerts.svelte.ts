export type AlertTone = 'error' | 'notice';

export interface AppAlert {
  id: number;
  message: string;
  /** 'error': something failed; 'notice': something the person should know, e.g. after a reload. */
  tone: AlertTone;
  /** A button that does what the message suggests, e.g. reload the page. */
  action?: { label: string; run: () => void };
}

/** Errors and notices the person must see; each stays until dismissed. */
export class Alerts {
  items = $state.raw<AppAlert[]>([]);
  #nextId = 1;

  push(message: string, tone: AlertTone = 'error', action?: AppAlert['action']): void {
    // The same message twice in a row (e.g. a retried action) shows once.
    if (this.items.at(-1)?.message === message) return;
    this.items = [...this.items, { id: this.#nextId++, message, tone, ...(action && { action }) }];
  }

  dismiss(id: number): void {
    this.items = this.items.filter((a) => a.id !== id);
  }
}
