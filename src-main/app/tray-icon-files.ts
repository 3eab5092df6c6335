import { join } from 'node:path';
import type { TrayStateKind } from '../../src-shared/ipc/index.js';

/** assets/tray/<state>.png; Electron picks <state>@2x.png itself on high-density screens. */
export function trayIconFile(assetsDir: string, kind: TrayStateKind): string {
  return join(assetsDir, 'tray', `${kind}.png`);
}

/** The tooltip with the busy percent, as trayState gives it; the platform cuts long ones. */
export function trayTooltip(tooltip: string): string {
  return tooltip.length > 120 ? `${tooltip.slice(0, 119)}…` : tooltip;
}
