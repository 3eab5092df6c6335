import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { TrayState } from '../../src-shared/ipc/index.js';
import { trayIconFile, trayTooltip } from './tray-icon-files.js';
import { trayMenuModel, type TrayAction, type TrayMenuInput } from './tray-menu-model.js';

/** The tray icon: its picture and tooltip follow the tray state; its menu follows trayMenuModel. */
export class AppTray {
  private readonly tray: Tray;
  private shown: string | undefined;

  constructor(
    private readonly assetsDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(trayIconFile(assetsDir, 'offline')));
    this.tray.on('click', () => onAction('open'));
  }

  update(state: TrayState, menu: Omit<TrayMenuInput, 'tooltip'>): void {
    const key = JSON.stringify([state, menu]);
    if (key === this.shown) return;
    this.shown = key;
    this.tray.setImage(nativeImage.createFromPath(trayIconFile(this.assetsDir, state.kind)));
    this.tray.setToolTip(trayTooltip(state.tooltip));
    const items = trayMenuModel({ ...menu, tooltip: state.tooltip }).map((item): MenuItemConstructorOptions => {
      if (item.kind === 'separator') return { type: 'separator' };
      if (item.kind === 'status') return { label: item.label, enabled: false };
      return { label: item.label, enabled: item.enabled, click: () => this.onAction(item.action) };
    });
    this.tray.setContextMenu(Menu.buildFromTemplate(items));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
