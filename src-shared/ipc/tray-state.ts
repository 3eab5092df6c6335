// What the tray icon shows. Errors and a lost grid come first; work in progress next (with a
// percent); then how safe the data is.
import { gridHealth } from './grid-health.js';
import type { OperationKind, StatusView } from './view-types.js';

export type TrayStateKind = 'healthy' | 'degraded' | 'offline' | 'busy' | 'error';

export interface TrayState {
  readonly kind: TrayStateKind;
  /** 0–100 while busy and the total is known */
  readonly percent: number | undefined;
  /** the tray tooltip: one line */
  readonly tooltip: string;
}

/** Operations that make the tray busy (reads and checks are too brief to show). */
const BUSY_KINDS: readonly OperationKind[] = ['upload', 'backup', 'restore', 'repair'];

/** `status` undefined with an `error`: the node cannot be asked (not running, or failing). */
export function trayState(status: StatusView | undefined, error?: string): TrayState {
  if (status === undefined) return { kind: 'error', percent: undefined, tooltip: `Cairn: ${error ?? 'the node is not running'}` };
  const health = gridHealth(status);
  if (health.level === 'offline') return { kind: 'offline', percent: undefined, tooltip: `Cairn: ${health.headline}` };
  const busy = status.operations.filter((op) => op.state === 'running' && BUSY_KINDS.includes(op.kind));
  if (busy.length > 0) {
    const sized = busy.filter((op) => op.bytesTotal !== undefined && op.bytesTotal > 0);
    const total = sized.reduce((sum, op) => sum + op.bytesTotal!, 0);
    const done = sized.reduce((sum, op) => sum + Math.min(op.bytesDone, op.bytesTotal!), 0);
    const percent = total > 0 ? Math.floor((done / total) * 100) : undefined;
    const what = busy.some((op) => op.kind === 'backup') ? 'backing up' : busy.some((op) => op.kind === 'restore') ? 'restoring' : busy.some((op) => op.kind === 'repair') ? 'repairing' : 'uploading';
    return { kind: 'busy', percent, tooltip: `Cairn: ${what}${percent === undefined ? '…' : ` ${percent}%`}` };
  }
  return { kind: health.level, percent: undefined, tooltip: `Cairn: ${health.headline}` };
}
