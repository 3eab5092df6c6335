// Reed–Solomon throughput, 3-of-10 with 1 MiB segments, in MiB/s of input.
// Standalone: npx tsx bench/fec.ts [MiB]
import { pathToFileURL } from 'node:url';
import { ReedSolomon } from '../src-main/core/fec/reed-solomon.js';

const MiB = 1024 * 1024;

export async function benchFec(opts: { mib: number }): Promise<{ encodeMiBps: number; encodeReusedMiBps: number; decodeParityMiBps: number }> {
  const k = 3;
  const n = 10;
  const rs = new ReedSolomon(k, n);
  const blockLength = Math.ceil(MiB / k);
  const segment = new Uint8Array(k * blockLength);
  for (let i = 0; i < segment.length; i++) segment[i] = (i * 2654435761) >>> 24;
  const rounds = Math.max(1, Math.round(opts.mib));

  // Warm up so the timed loops run the optimised tier of the kernel.
  let parity = rs.encodeSegment(segment, blockLength);
  for (let i = 0; i < 20; i++) rs.decode(parity.slice(0, k), [3, 4, 5]);

  let start = performance.now();
  for (let i = 0; i < rounds; i++) parity = rs.encodeSegment(segment, blockLength);
  const encodeSeconds = (performance.now() - start) / 1000;

  // The CHK encoder's path: secondaries written into one reused buffer.
  const reused = new Uint8Array((n - k) * blockLength);
  start = performance.now();
  for (let i = 0; i < rounds; i++) rs.encodeSegment(segment, blockLength, reused);
  const encodeReusedSeconds = (performance.now() - start) / 1000;
  if (Buffer.compare(reused.subarray(0, blockLength), parity[0]!) !== 0) throw new Error('encoding into a reused buffer differs');

  const shares = parity.slice(n - 2 * k, n - k); // three parity shares: 7, 8, 9
  const indices = [7, 8, 9];
  start = performance.now();
  let decoded: Uint8Array[] = [];
  for (let i = 0; i < rounds; i++) decoded = rs.decode(shares, indices);
  const decodeSeconds = (performance.now() - start) / 1000;

  if (Buffer.compare(decoded[1]!, segment.subarray(blockLength, 2 * blockLength)) !== 0) {
    throw new Error('decode did not reproduce the segment');
  }
  const inputMiB = (rounds * segment.length) / MiB;
  return { encodeMiBps: inputMiB / encodeSeconds, encodeReusedMiBps: inputMiB / encodeReusedSeconds, decodeParityMiBps: inputMiB / decodeSeconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mib = Number(process.argv[2] ?? 256);
  const result = await benchFec({ mib });
  console.log(`fec 3-of-10, ${mib} MiB: encode ${result.encodeMiBps.toFixed(0)} MiB/s, decode from 3 parity ${result.decodeParityMiBps.toFixed(0)} MiB/s`);
}
