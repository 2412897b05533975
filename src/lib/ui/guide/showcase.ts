import type { Showcase } from '../../core/guide/recommend';

/** Where in Grounded each point of the guide can be seen, and what the link says. */
export const SHOWCASES: Record<Showcase, { label: string; hint: string }> = {
  documents: {
    label: 'See it: edit a fact and ask again',
    hint: 'In Documents, change a fact in a document (or add the changed file and choose Replace), then ask about it again.',
  },
  passages: {
    label: 'See the passages',
    hint: 'Under Ask, the passages the model was given, with why each was retrieved.',
  },
  evaluation: {
    label: 'Evaluate first',
    hint: 'Under Evaluation, run the sample questions and read the scoreboard.',
  },
};

/**
 * The region where `place` can be seen, found by the accessible names and ids the rest of the
 * app keeps stable (the interface contract), not by reaching into its components.
 */
function regionOf(place: Showcase): HTMLElement | null {
  switch (place) {
    case 'documents':
      return document.getElementById('documents-heading')?.closest('section') ?? null;
    case 'passages':
      return document.querySelector<HTMLElement>('section[aria-label="Retrieved passages"]');
    case 'evaluation':
      return document.getElementById('evaluation-heading')?.closest('section') ?? null;
  }
}

/**
 * Scrolls to the region and moves the focus there, so that keyboard and screen-reader users
 * land where a mouse user looks. Returns false when the region is not on the page.
 */
export function reveal(place: Showcase): boolean {
  const region = regionOf(place);
  if (!region) return false;
  // Focusable by script only: the region does not join the Tab order.
  if (!region.hasAttribute('tabindex')) region.setAttribute('tabindex', '-1');
  region.scrollIntoView({ behavior: 'smooth', block: 'start' });
  region.focus({ preventScroll: true });
  return true;
}
