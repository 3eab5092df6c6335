// How `cairn status` and `cairn backup-job check` print the backups' durability.
import type { BackupDurabilityStatus } from '../../../node/backup-durability.js';

/** The durability pass's findings, one line per job and one for all. */
export function describeDurability(status: BackupDurabilityStatus): string[] {
  if (status.overall === undefined) return ['backups: not checked yet'];
  const lines = [`backups: ${status.overall.summary} (${status.overall.files} files, checked ${status.checkedAt ?? '?'})`];
  for (const job of status.jobs) {
    const repairs = job.repaired > 0 || job.repairsDeferred > 0 ? `; ${job.repaired} repaired, ${job.repairsDeferred} left for the next pass` : '';
    lines.push(`  ${job.id}: ${job.summary} (${job.snapshots} snapshots, ${job.files} files${repairs})`);
  }
  return lines;
}
