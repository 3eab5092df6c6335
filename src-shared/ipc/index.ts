// The renderer's whole view of the node: the CairnApi contract, its events and view types,
// input validators (run in Electron main), plain-words health and the tray state.
export type { CairnApi, ShellKind } from './cairn-api.js';
export type { CairnEvent, CairnEventListener } from './events.js';
export type * from './view-types.js';
export { InputError } from './input-errors.js';
export * from './validators.js';
export { EVENT_CHANNEL, IPC_CHANNEL_PREFIX, IPC_METHODS, UPLOAD_PROGRESS_CHANNEL, isIpcMethod, validateRequest } from './ipc-requests.js';
export type { EventMessage, IpcMethod, IpcRequests, UploadLocalFileRequest, UploadProgressMessage } from './ipc-requests.js';
export { MAX_SHARE_LINK_LENGTH, SHARE_LINK_PREFIX, formatShareLink, parseShareLink, validateReadCap, type OpenableLink } from './share-link.js';
export { gridHealth, type GridHealth, type HealthLevel } from './grid-health.js';
export { trayState, type TrayState, type TrayStateKind } from './tray-state.js';
export { shortPeerId } from './short-peer-id.js';
