/**
 * The support check's thresholds, per embedding model, written by `npm run calibrate:support --
 * --write` (scripts/calibrate-support.ts) from 104 hand-labelled answer sentences in
 * test/fixtures/support/answers.json; figures in BENCHMARKS.md. Do not edit by hand: run it again.
 */
import type { SupportThresholds } from './support';

export const SUPPORT_CALIBRATION: {
  /** Words and details only: no embedding model, or one not calibrated. */
  lexical: SupportThresholds;
  models: Readonly<Record<string, SupportThresholds>>;
} = {
  lexical: {
    cosineWeight: 0,
    detailPenalty: 0,
    partial: 0.6712,
    supported: 0.702,
  },
  models: {
    'Xenova/all-MiniLM-L6-v2': {
      cosineWeight: 0.1,
      detailPenalty: 0,
      partial: 0.6583,
      supported: 0.6583,
    },
    'Xenova/bge-small-en-v1.5': {
      cosineWeight: 0.1,
      detailPenalty: 0,
      partial: 0.6769,
      supported: 0.841,
    },
    'Xenova/e5-small-v2': {
      cosineWeight: 0.1,
      detailPenalty: 0,
      partial: 0.6967,
      supported: 0.8483,
    },
  },
};
