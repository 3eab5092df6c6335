// The CLI's list of commands loads each command's module only to run it: every entry must
// load a command of its own name, and the usage must list every one.
import { describe, expect, it } from 'vitest';
import { commands, runCli } from '../src-main/frontends/cli/main.js';

describe('the cairn command list', () => {
  it('loads, for every name, the command of that name', async () => {
    expect(commands.length).toBeGreaterThanOrEqual(25);
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.usage).toContain(entry.name);
    }
  });

  it('lists every command with its summary, and refuses an unknown one with that list', async () => {
    const written: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      expect(await runCli(['--help'])).toBe(0);
      const help = written.join('');
      for (const entry of commands) expect(help).toMatch(new RegExp(`^  ${entry.name} +${entry.summary.replace(/[()'.]/g, '\\$&')}$`, 'm'));
      written.length = 0;
      expect(await runCli(['no-such-command'])).toBe(2);
      expect(written.join('')).toContain('unknown command "no-such-command"');
      expect(written.join('')).toContain('  get ');
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
  });
});
