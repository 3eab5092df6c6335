// A developer aid: with CAIRN_CPU_PROFILE_DIR set, SIGUSR2 starts a V8 CPU profile of this
// process and the next SIGUSR2 writes it to that folder (open it in Chrome DevTools). It
// profiles one operation of a running node, without the start-up that --cpu-prof includes.
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function profileOnSignal(dir: string | undefined, onWritten: (path: string) => void): void {
  if (dir === undefined || dir === '') return;
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (session === undefined) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        return;
      }
      const current = session;
      session = undefined;
      const { profile } = await current.post('Profiler.stop');
      current.disconnect();
      const path = join(dir, `cairn-${process.pid}-${Date.now()}.cpuprofile`);
      await writeFile(path, JSON.stringify(profile));
      onWritten(path);
    })();
  });
}
