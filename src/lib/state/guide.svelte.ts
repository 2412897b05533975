import {
  parseAnswers,
  recommend,
  type GuideAnswers,
  type PartialAnswers,
  type QuestionId,
} from '../core/guide/recommend';

const STORAGE_KEY = 'grounded:guide';

/** The RAG-or-fine-tuning guide's answers, kept in localStorage over a reload. */
export class Guide {
  answers = $state.raw<PartialAnswers>({});
  readonly recommendation = $derived(recommend(this.answers));
  #storage: Storage | undefined;

  constructor(storage: Storage | undefined) {
    this.#storage = storage;
    try {
      const raw = storage?.getItem(STORAGE_KEY);
      if (raw) this.answers = parseAnswers(JSON.parse(raw));
    } catch {
      // Unreadable: the guide starts empty.
    }
  }

  answer<Id extends QuestionId>(id: Id, value: GuideAnswers[Id]): void {
    this.answers = { ...this.answers, [id]: value };
    this.#save();
  }

  startOver(): void {
    this.answers = {};
    this.#save();
  }

  #save(): void {
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(this.answers));
    } catch {
      // Private browsing or a full quota: the answers then last for this visit only.
    }
  }
}
