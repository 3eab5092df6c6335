import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';

const usage = `usage: cairn app DIR [--port N] [--listen ADDR]

The web UI for the node in DIR, first run included. With no node in DIR yet it serves the
first-run screens (create a new grid, or join one with an invite code and its passphrase);
once set up, the node runs in this process and the same page becomes its full UI. With a
node in DIR already it just runs it. Prints the URL to open (with a one-time login code)
and runs until SIGTERM or SIGINT (Ctrl-C).

  --port N        the web UI's port on 127.0.0.1 (default: any free port)
  --listen ADDR   where a node made here listens for the grid (default /ip4/0.0.0.0/tcp/0)`;

export const appCommand: Command = {
  name: 'app',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, { port: { type: 'string' }, listen: { type: 'string' }, 'fast-timers': { type: 'boolean' } });
    if (values.help) return print(usage);
    if (positionals.length !== 1) throw new UsageError('expected one DIR', usage);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${values.port}"`, usage);
    // Loaded here, not at the top: the other commands start without libp2p and the grid.
    const { AppNode } = await import('../../../node/app-node.js');
    const { FirstRunServer } = await import('../../web/first-run-server.js');
    const app = await AppNode.openNodeDirectory(positionals[0]!, {
      logToStderr: true,
      fastTimers: values['fast-timers'] === true,
      onStateChange: (state) => {
        if (state === 'running') print(`cairn: the node in ${positionals[0]} is running`);
      },
    });
    const server = await FirstRunServer.start({ app, port, ...(values.listen === undefined ? {} : { listen: values.listen }), log: (message) => process.stderr.write(`${message}\n`) });
    if (app.state === 'needs-setup') print(`cairn: no node in ${positionals[0]} yet: create a grid or join one in the web UI`);
    // stdout only, never a log: the URL carries a login code (used once, then worthless)
    print(`cairn: web UI ${server.loginUrl()}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    await server.close();
    await app.stop();
  },
};
