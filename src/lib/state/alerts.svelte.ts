export interface AppAlert {
  id: number;
  message: string;
}

/** Errors the person must see; each stays until dismissed. */
export class Alerts {
  items = $state.raw<AppAlert[]>([]);
  #nextId = 1;

  push(message: string): void {
    // The same message twice in a row (e.g. a retried action) shows once.
    if (this.items.at(-1)?.message === message) return;
    this.items = [...this.items, { id: this.#nextId++, message }];
  }

  dismiss(id: number): void {
    this.items = this.items.filter((a) => a.id !== id);
  }
}
