// How much CPU the hypervisor took from this machine while a benchmark ran. On a shared
// host, "steal" (/proc/stat) is time a vCPU had work to run but the host ran someone else:
// figures measured at different moments then differ by more than any code change, and a
// ratio to a reference is only fair if both saw about the same steal.
import { readFileSync } from 'node:fs';

/** The machine's CPU counters (clock ticks, all CPUs) at one moment. */
export interface HostCpuSample {
  /** user, nice, system, irq and softirq: time this machine ran */
  readonly busy: number;
  readonly steal: number;
}

/** The `cpu` line of /proc/stat, or undefined where there is none (not Linux). */
export function hostCpuSample(): HostCpuSample | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (fields === undefined || fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return { busy: user + nice + system + irq + softirq, steal };
}

/** Of the CPU time this machine wanted between two samples, the share the host took (0..1). */
export function stolenShare(from: HostCpuSample | undefined, to: HostCpuSample | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const busy = to.busy - from.busy;
  const steal = to.steal - from.steal;
  return busy + steal > 0 ? steal / (busy + steal) : 0;
}

/** "12 %", or "unknown" where /proc/stat is missing. */
export function formatStolen(share: number | undefined): string {
  return share === undefined ? 'unknown' : `${(100 * share).toFixed(0)} %`;
}
