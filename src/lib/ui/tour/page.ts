/**
 * What the tour reads from the page itself: whether a source or the prompt view is open (the
 * answer panes keep that to themselves), and the control each step is about. Found by the
 * accessible names the interface contract keeps stable.
 */
import type { StepId } from '../../core/tour/steps';
import type { PageFacts } from '../../state/tour.svelte';

const ANSWER_PANES = ['Grounded answer', 'Ungrounded answer']
  .map((name) => `section[aria-label="${name}"]`)
  .join(', ');

/** The prompt view's summary starts with this (ui/answers/PromptView.svelte). */
const PROMPT_SUMMARY = 'Prompt — exactly what the model was sent';

function promptView(root: Document): HTMLDetailsElement | null {
  for (const summary of root.querySelectorAll('details > summary')) {
    if (summary.textContent?.trim().startsWith(PROMPT_SUMMARY)) {
      return summary.parentElement as HTMLDetailsElement;
    }
  }
  return null;
}

export function readPageFacts(root: Document): PageFacts {
  const asides = [...root.querySelectorAll(ANSWER_PANES)].flatMap((pane) => [
    ...pane.querySelectorAll('aside'),
  ]);
  const label = (aside: Element) => aside.getAttribute('aria-label') ?? '';
  return {
    // A cited passage ("Passage 2") or a selected sentence's evidence, open beside an answer.
    sourceShown: asides.some(
      (a) => /^Passage \d+$/.test(label(a)) || label(a) === 'Selected sentence',
    ),
    promptOpen: promptView(root)?.open ?? false,
  };
}

function sectionOf(root: Document, headingId: string): HTMLElement | null {
  return root.getElementById(headingId)?.closest('section') ?? null;
}

function buttonIn(scope: ParentNode | null, text: string): HTMLElement | null {
  if (!scope) return null;
  for (const button of scope.querySelectorAll('button')) {
    if (button.textContent?.trim() === text) return button;
  }
  return null;
}

/** The control step `id` is about, when it is on the page. */
export function findTarget(root: Document, id: StepId): HTMLElement | null {
  switch (id) {
    case 'samples':
      return buttonIn(sectionOf(root, 'documents-heading'), 'Load sample documents');
    case 'model':
      return sectionOf(root, 'llm-heading');
    case 'compare':
    case 'ask-again':
    case 'control':
      return root.getElementById('question');
    case 'cite':
      return root.querySelector('section[aria-label="Grounded answer"]');
    case 'prompt':
      return promptView(root);
    case 'edit':
      return (
        root.querySelector<HTMLElement>('button[aria-label="Edit employee-handbook.md"]') ??
        root.querySelector('ul[aria-label="Documents"]')
      );
    case 'evaluate':
      return buttonIn(sectionOf(root, 'evaluation-heading'), 'Run evaluation');
    case 'guide':
      return sectionOf(root, 'guide-heading');
  }
}

const FOCUSABLE =
  'button:not(:disabled), input:not(:disabled), textarea:not(:disabled), select:not(:disabled), summary, a[href]';

/** Brings `target` into view and puts the focus on it, or on the first control in it. */
export function showTarget(target: HTMLElement): void {
  target.scrollIntoView({ block: 'center', behavior: 'smooth' });
  const focusable = target.matches(FOCUSABLE)
    ? target
    : target.querySelector<HTMLElement>(FOCUSABLE);
  focusable?.focus({ preventScroll: true });
}
