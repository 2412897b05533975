/**
 * The support check's thresholds, per embedding model. NOT YET CALIBRATED: hand-chosen starting
 * values for words and details only, and no model; `npm run calibrate:support -- --write`
 * (scripts/calibrate-support.ts) replaces this file with values fitted on labelled answers.
 */
import type { SupportThresholds } from './support';

export const SUPPORT_CALIBRATION: {
  /** Words and details only: no embedding model, or one not calibrated. */
  lexical: SupportThresholds;
  models: Readonly<Record<string, SupportThresholds>>;
} = {
  lexical: { cosineWeight: 0, detailPenalty: 0.3, partial: 0.3, supported: 0.7 },
  models: {},
};
