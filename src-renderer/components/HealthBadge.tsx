import type { HealthLevel } from '../../src-shared/ipc/index.js';

const LABELS: Record<HealthLevel, string> = { healthy: 'Healthy', degraded: 'Degraded', offline: 'Offline' };

export function HealthBadge({ level }: { level: HealthLevel }) {
  return (
    <span className={`badge ${level}`} data-health={level}>
      <span className="dot" aria-hidden="true" />
      {LABELS[level]}
    </span>
  );
}
