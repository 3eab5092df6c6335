/**
 * The tray menu as data: main turns it into an Electron Menu and sends clicks back by id.
 * Kept free of Electron so it is tested here.
 */
export type TrayAction = 'open' | 'pause-backups' | 'resume-backups' | 'back-up-now' | 'copy-invite' | 'quit';

export type TrayMenuItem = { readonly kind: 'status'; readonly label: string } | { readonly kind: 'separator' } | { readonly kind: 'action'; readonly action: TrayAction; readonly label: string; readonly enabled: boolean };

export interface TrayMenuInput {
  /** the tray tooltip (one line, e.g. "Cairn: safe even if 2 friends are offline") */
  readonly tooltip: string;
  /** the node runs (false before first-run setup and when it failed) */
  readonly nodeRunning: boolean;
  readonly backupsPaused: boolean;
}

export function trayMenuModel(input: TrayMenuInput): TrayMenuItem[] {
  const running = input.nodeRunning;
  return [
    { kind: 'status', label: input.tooltip },
    { kind: 'separator' },
    { kind: 'action', action: 'open', label: 'Open Cairn', enabled: true },
    input.backupsPaused
      ? { kind: 'action', action: 'resume-backups', label: 'Resume backups', enabled: running }
      : { kind: 'action', action: 'pause-backups', label: 'Pause backups', enabled: running },
    { kind: 'action', action: 'back-up-now', label: 'Back up now', enabled: running && !input.backupsPaused },
    { kind: 'action', action: 'copy-invite', label: 'Copy invite', enabled: running },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: 'Quit Cairn', enabled: true },
  ];
}
