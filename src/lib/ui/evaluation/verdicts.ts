import type { AnswerScore } from '../../core/eval/scoring';
import type { QuestionKind } from '../../core/eval/questions';
import type { EvalAnswer } from '../../core/eval/run';

/** What a person reads beside an answer: whether it did what its question asks, and why not. */
export function verdict(
  kind: QuestionKind,
  score: AnswerScore,
  answer: EvalAnswer,
): { passed: boolean | null; text: string } {
  if (answer.end === 'failed') return { passed: false, text: 'failed' };
  if (kind === 'unanswerable') {
    return score.abstained
      ? { passed: true, text: 'declined, rightly' }
      : { passed: false, text: 'answered; it should have declined' };
  }
  const total = score.facts.length;
  if (total === 0) return { passed: null, text: 'no facts to check' };
  if (score.factsFound === total) {
    return { passed: true, text: total === 1 ? 'has the fact' : `has all ${total} facts` };
  }
  const declined = score.abstained ? ', declined' : '';
  return { passed: false, text: `${score.factsFound} of ${total} facts${declined}` };
}
