/*
 * core/tour/ — the guided tour: its steps, when each one's action is done, and how far a person
 * has got. Pure: the state layer hands it snapshots of the app, the interface draws it.
 */

/** The app as a tour step judges it: plain values read at one moment, no references into it. */
export interface TourSnapshot {
  /** The stored documents have been read; before that nothing is judged. */
  ready: boolean;
  documents: readonly { id: string; name: string }[];
  /** Files are being added. */
  adding: boolean;
  /** A language model is loaded and ready to answer. */
  modelReady: boolean;
  /**
   * The last question's answers, once their prompt is built: `run` tells one question's answers
   * from the next one's, `finished` when both answers are done.
   */
  answers: { run: number; finished: boolean; declined: boolean } | null;
  /** A cited passage, or an answer sentence's closest evidence, is open beside an answer. */
  sourceShown: boolean;
  /** The prompt view ("Prompt — exactly what the model was sent") is open. */
  promptOpen: boolean;
  /** Counts the evaluation runs that finished (not cancelled) since the page loaded. */
  evaluationsFinished: number;
  /** RAG or fine-tuning? has a recommendation: every question is answered. */
  guideAnswered: boolean;
}

export type StepId =
  | 'samples'
  | 'model'
  | 'compare'
  | 'cite'
  | 'prompt'
  | 'edit'
  | 'ask-again'
  | 'control'
  | 'evaluate'
  | 'guide';

export interface TourStep {
  id: StepId;
  title: string;
  /** The one idea the step shows. */
  explain: string;
  /** The one thing to do, in the app itself. */
  action: string;
  /** What to look at once it is done. */
  notice: string;
  /** A question to try, which the tour can put in the Question box. */
  question?: string;
  /**
   * Whether the step's action is done, from the app `now` and as it was when the step began
   * (`start`): something that must happen during the step is a change between the two.
   */
  done(now: TourSnapshot, start: TourSnapshot): boolean;
  /** Said once the step is done, about what came out of it; null when nothing in particular. */
  outcome?(now: TourSnapshot): string | null;
}

/** The sample corpus (static/samples/manifest.json), as Load sample documents stores it. */
export const SAMPLE_DOCUMENTS: readonly string[] = [
  'employee-handbook.md',
  'company-history.md',
  'expenses-and-travel-policy.md',
  'security-and-data-handling-policy.md',
  'kittiwake-k20-product-notes.md',
  'plover-p7-product-notes.md',
  'customer-support-faq.txt',
  'ops-meeting-notes-2025-03-11.txt',
];

/** A "will guess wrong" question of static/samples/QUESTIONS.md (no. 1), asked again after the edit. */
export const LEAVE_QUESTION = 'How many weeks of parental leave do employees get?';
/** One of QUESTIONS.md's control questions: nothing in the samples answers it. */
export const CONTROL_QUESTION = 'Which dental insurance provider does Marrowby use?';

/** Answers finished during the step: a question asked (or finishing) after it began. */
export function answeredSince(now: TourSnapshot, start: TourSnapshot): boolean {
  if (!now.answers?.finished) return false;
  return now.answers.run !== start.answers?.run || !start.answers.finished;
}

/**
 * A document that was there when the step began has been replaced by a new version: Edit then
 * Save, or a file of the same name added with Replace. An edited PDF or Word document is stored
 * under its name with an extension added ("report.pdf.txt"), which counts too.
 */
export function replacedSince(now: TourSnapshot, start: TourSnapshot): boolean {
  const before = new Set(start.documents.map((d) => d.id));
  const after = new Set(now.documents.map((d) => d.id));
  const gone = start.documents.filter((d) => !after.has(d.id));
  return now.documents.some(
    (d) =>
      !before.has(d.id) &&
      gone.some((old) => d.name === old.name || d.name.startsWith(`${old.name}.`)),
  );
}

export const TOUR_STEPS: readonly TourStep[] = [
  {
    id: 'samples',
    title: 'Load the sample documents',
    explain:
      'Grounded answers from documents you give it. The samples are the handbook, policies and ' +
      'product notes of Marrowby Instruments, a company that exists only in these files.',
    action: 'Under Documents, press Load sample documents.',
    notice:
      'Each file is read, cut into passages and embedded on this device, with its progress shown. ' +
      'Nothing is uploaded.',
    done: (now) =>
      !now.adding && SAMPLE_DOCUMENTS.every((name) => now.documents.some((d) => d.name === name)),
  },
  {
    id: 'model',
    title: 'Load a language model',
    explain: 'The answers come from a small language model that runs in this browser.',
    action:
      'Under Language model, pick a model and press Load model (or Load model file for a .gguf ' +
      'file on this device).',
    notice:
      'It is downloaded once and kept by the browser, so later visits need no network. Small ' +
      'models are quick but often wrong: the tour shows how to tell.',
    done: (now) => now.modelReady,
  },
  {
    id: 'compare',
    title: 'Ask a question it will guess wrong',
    explain:
      'Every question is answered twice by the same model: once from the retrieved passages ' +
      '(grounded), once from its own memory (ungrounded).',
    action: `Ask: “${LEAVE_QUESTION}”`,
    question: LEAVE_QUESTION,
    notice:
      'The handbook says 30 weeks, for every parent; from memory the model can only guess, and ' +
      'the usual guesses are statutory minimums. Compare the two answers and the passages.',
    done: answeredSince,
  },
  {
    id: 'cite',
    title: 'Check a source',
    explain: 'A grounded answer cites the passages it used, like [1], so a claim can be checked.',
    action:
      'Click a citation in the Grounded answer. If it cites none (small models often do not), ' +
      'click one of its sentences instead.',
    notice:
      'The passage opens beside the answer (for a sentence, the closest evidence): the words the ' +
      'claim should come from.',
    done: (now) => now.sourceShown,
  },
  {
    id: 'prompt',
    title: 'See what the model was sent',
    explain:
      'Retrieval only changes the prompt: nothing else tells the model about your documents.',
    action: 'Open “Prompt — exactly what the model was sent”, below Retrieved passages.',
    notice:
      'The grounded prompt holds the retrieved passages, numbered, before the question; the ' +
      'ungrounded one only the question. Passages that do not fit the context window are listed ' +
      'as left out.',
    done: (now) => now.promptOpen,
  },
  {
    id: 'edit',
    title: 'Change a fact',
    explain:
      'Knowledge in documents stays fresh without retraining: change a document and the next ' +
      'answer can use the change.',
    action:
      'Under Documents, press Edit beside employee-handbook.md, change “30 weeks” of parental ' +
      'leave to another number, and press Save.',
    notice:
      'The old version’s passages and vectors are replaced in one step. No model was trained.',
    done: replacedSince,
  },
  {
    id: 'ask-again',
    title: 'Ask again',
    explain: 'The same question now retrieves the edited text.',
    action: `Ask again: “${LEAVE_QUESTION}”`,
    question: LEAVE_QUESTION,
    notice:
      'Retrieved passages show your number; a grounded answer that reads them follows it, while ' +
      'the ungrounded answer cannot know.',
    done: answeredSince,
  },
  {
    id: 'control',
    title: 'Ask what the documents do not say',
    explain:
      'A grounded model should say when the passages do not hold the answer, not invent one.',
    action: `Ask: “${CONTROL_QUESTION}”`,
    question: CONTROL_QUESTION,
    notice:
      'Nothing in the samples names a dental insurer. When the grounded answer declines, Grounded ' +
      'says so under it; small models often answer anyway.',
    done: answeredSince,
    outcome: (now) =>
      now.answers?.finished
        ? now.answers.declined
          ? 'This time the grounded answer said the passages do not answer it.'
          : 'This time the grounded answer did not decline: it answered anyway. An evaluation ' +
            'counts how often that happens.'
        : null,
  },
  {
    id: 'evaluate',
    title: 'Evaluate before you tune',
    explain:
      'One answer proves little. An evaluation asks a whole set of questions whose facts are ' +
      'known and counts the answers that state them.',
    action:
      'Under Evaluation, keep the sample questions and press Run evaluation. It takes a while; ' +
      'Cancel keeps what finished.',
    notice:
      'The scoreboard sets grounded against ungrounded answers on the same questions. Measure ' +
      'like this before deciding a model needs fine-tuning, and again after any change.',
    done: (now, start) => now.evaluationsFinished > start.evaluationsFinished,
  },
  {
    id: 'guide',
    title: 'RAG or fine-tuning?',
    explain: 'Retrieval changes what a model knows; fine-tuning changes how it behaves.',
    action: 'Open RAG or fine-tuning? and answer its five questions about your own problem.',
    notice:
      'The recommendation gives its reasons, and the table sets the two approaches side by side.',
    done: (now) => now.guideAnswered,
  },
];

/** How far a person has got: kept in localStorage so a reload resumes where they were. */
export interface TourProgress {
  active: boolean;
  /** The index of the step shown, in TOUR_STEPS. */
  step: number;
  /** The steps whose action was seen done; a done step stays done. */
  done: readonly StepId[];
}

export const NOT_STARTED: TourProgress = { active: false, step: 0, done: [] };

export function startTour(): TourProgress {
  return { active: true, step: 0, done: [] };
}

/** The tour left at any point: `startTour` begins it again. */
export function leaveTour(progress: TourProgress): TourProgress {
  return { ...progress, active: false };
}

/** Shows step `index` (clamped to the steps there are); skipping is going to the next. */
export function goTo(progress: TourProgress, index: number): TourProgress {
  const step = Math.max(0, Math.min(TOUR_STEPS.length - 1, Math.trunc(index)));
  return step === progress.step ? progress : { ...progress, step };
}

export function isDone(progress: TourProgress, id: StepId): boolean {
  return progress.done.includes(id);
}

/**
 * The progress with the shown step marked done if its action is done, judged from `now` and
 * from `start`, the app when the step began. Unchanged (the same object) otherwise, so a caller
 * can tell nothing happened.
 */
export function observe(
  progress: TourProgress,
  start: TourSnapshot,
  now: TourSnapshot,
): TourProgress {
  const step = TOUR_STEPS[progress.step];
  if (!progress.active || !step || !now.ready || !start.ready) return progress;
  if (isDone(progress, step.id) || !step.done(now, start)) return progress;
  return { ...progress, done: [...progress.done, step.id] };
}

/** Progress as read back from storage; anything unreadable is a tour not started. */
export function parseProgress(raw: unknown): TourProgress {
  if (typeof raw !== 'object' || raw === null) return NOT_STARTED;
  const { active, step, done } = raw as Record<string, unknown>;
  const ids = new Set<string>(TOUR_STEPS.map((s) => s.id));
  if (typeof active !== 'boolean' || typeof step !== 'number' || !Array.isArray(done)) {
    return NOT_STARTED;
  }
  return goTo(
    {
      active,
      step: 0,
      done: done.filter((id): id is StepId => typeof id === 'string' && ids.has(id)),
    },
    Number.isFinite(step) ? step : 0,
  );
}
