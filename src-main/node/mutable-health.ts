// Kept for the name deep-check results were first typed with: every check now reports a FileHealth.
import type { FileHealth } from '../grid/file-health.js';

export type HealthSummary = FileHealth;
