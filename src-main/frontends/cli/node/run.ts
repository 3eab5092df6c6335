import { join } from 'node:path';
import { NodeLog } from '../../../node/node-log.js';
import { profileOnSignal } from '../../../node/profile-on-signal.js';
import type { NodeService } from '../../../node/node-service.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';

const usage = `usage: cairn run DIR [--ui]

Runs the node in DIR in the foreground until SIGTERM or SIGINT (Ctrl-C), then stops
cleanly. Logs go to DIR/logs/cairn.log and stderr. Once the node listens and reaches
the introducer it prints one line saying it is ready, with its addresses.

  --ui   also print the web UI's URL (with a one-time login code; open it in a browser)`;

export const runCommand: Command = {
  name: 'run',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, { 'fast-timers': { type: 'boolean' }, ui: { type: 'boolean' } });
    if (values.help) return print(usage);
    if (positionals.length !== 1) throw new UsageError('expected one DIR', usage);
    const dir = positionals[0]!;
    const log = await NodeLog.open(join(dir, 'logs'), { level: process.env.CAIRN_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
    let service: NodeService;
    try {
      // Loaded here, not at the top: the other commands start without libp2p and the grid.
      const { NodeService } = await import('../../../node/node-service.js');
      service = await NodeService.start(dir, { log, fastTimers: values['fast-timers'] === true });
    } catch (error) {
      log.error(`the node did not start: ${(error as Error).message}`);
      await log.close();
      throw error;
    }
    profileOnSignal(process.env.CAIRN_CPU_PROFILE_DIR, (path) => log.info(`CPU profile written to ${path}`));
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info(`${signal}: stopping`);
        service
          .stop()
          .catch((error: unknown) => log.error(`stopping failed: ${(error as Error).message}`))
          .finally(() => resolve());
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await Promise.race([service.whenIntroducerConnected(), stopped]);
    const addresses = service.host.getMultiaddrs().map((a) => a.toString());
    const ready = `node "${service.node.config.nickname}" ready: peer ${service.host.peerId.toString()}, listening on ${addresses.join(' ')}, web API http://127.0.0.1:${service.node.config.web.port}`;
    log.info(ready);
    print(`cairn: ${ready}`);
    // stdout only, never the log: the URL carries a login code (used once, then worthless)
    if (values.ui === true && service.webShell !== undefined) print(`cairn: web UI ${service.webShell.loginUrl()}`);
    await stopped;
    log.info('stopped');
    await log.close();
  },
};
