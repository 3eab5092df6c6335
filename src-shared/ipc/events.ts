import type { OperationView } from './view-types.js';

/**
 * What the node pushes to the renderer.
 * - status: something in StatusView changed; fetch it again
 * - operation: an operation started, progressed or ended
 * - connection: the renderer's link to the node opened or was lost (the shell sends it, not the node)
 * - backup: a backup job's list, run or snapshots changed; fetch them again
 * - open-link: the desktop app was asked to open a `cairn:` link; take it with takeOpenLink()
 */
export type CairnEvent =
  | { readonly type: 'status' }
  | { readonly type: 'operation'; readonly operation: OperationView }
  | { readonly type: 'connection'; readonly state: 'open' | 'lost' }
  | { readonly type: 'backup'; readonly jobId: string | undefined }
  | { readonly type: 'open-link' };

export type CairnEventListener = (event: CairnEvent) => void;
