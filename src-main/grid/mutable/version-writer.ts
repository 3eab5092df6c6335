import { CHECKSTRING_SIZE, type EncodedMutableVersion } from '../../core/mutable/index.js';
import { UploadUnhappinessError } from '../errors.js';
import type { GridServer, SlotShareWrite, SlotTestVector } from '../grid-server.js';
import { happiness } from '../placement/happiness.js';
import { planSharePlacement, replanSharePlacement, type PlacementRequest } from '../placement/share-placement.js';
import { unhappinessMessage } from '../placement/unhappiness-message.js';
import { DEFAULT_QUERY_TIMEOUT_MS, withDeadline } from './deadline.js';
import { MutableConflictError } from './errors.js';
import type { ShareLocation } from './servermap.js';
import { slotSecretsFor } from './slot-secrets.js';

export interface VersionWrite {
  readonly storageIndex: Uint8Array;
  readonly writekey: Uint8Array;
  readonly version: EncodedMutableVersion;
  /** the servers that may take shares, in permuted-ring order */
  readonly servers: readonly GridServer[];
  /** every share already on the grid: each is rewritten, tested against what was seen there */
  readonly existing: readonly ShareLocation[];
  readonly happy: number;
  readonly leaseSecret: Uint8Array;
  readonly queryTimeoutMs?: number;
}

export interface WrittenVersion {
  /** share numbers each server now holds of the new version */
  readonly placement: ReadonlyMap<string, ReadonlySet<number>>;
  readonly happiness: number;
}

/** One server's part of a round: its shares and the test each must pass. */
type ServerWrites = Map<number, SlotTestVector>;

const MUST_NOT_EXIST: SlotTestVector = { offset: 0, length: 1, operator: 'eq', specimen: new Uint8Array(0) };
/** A test-and-write's body limit (slot-messages.ts MAX_SLOT_WRITE_BYTES), with room for specimens. */
const MAX_CALL_BYTES = 16 * 1024 * 1024;
const MAX_ROUNDS = 4;

/**
 * Writes every share of a new version with test-and-set calls: each share the servermap saw
 * is rewritten where it is, tested against the bytes seen there; share numbers seen nowhere
 * go where the immutable uploader would put them (servers of happiness), tested "must not
 * exist". The first server in ring order is written alone, before the others: of two
 * writers racing from the same servermap, the one that loses there writes nothing, so
 * exactly one wins. If any test fails, the writes under way finish and MutableConflictError
 * is thrown. Servers that fail are dropped and their shares placed elsewhere; if the grid's
 * happiness cannot be reached, UploadUnhappinessError.
 */
export async function writeVersion(job: VersionWrite): Promise<WrittenVersion> {
  const totalShares = job.version.shares.length;
  const byId = new Map(job.servers.map((s) => [s.id, s]));
  for (const location of job.existing) if (!byId.has(location.server.id)) byId.set(location.server.id, location.server);
  const ordered = [...job.servers, ...[...byId.values()].filter((s) => !job.servers.includes(s))];
  const seen = new Map<string, Map<number, Uint8Array>>();
  for (const { server, shareNumber, seen: bytes } of job.existing) {
    if (shareNumber >= totalShares) continue;
    const map = seen.get(server.id) ?? new Map<number, Uint8Array>();
    map.set(shareNumber, bytes);
    seen.set(server.id, map);
  }
  let request: PlacementRequest = {
    servers: ordered.map((s) => ({ id: s.id, writable: true, existingShares: new Set(seen.get(s.id)?.keys() ?? []) })),
    totalShares,
    happy: Math.min(job.happy, totalShares),
  };
  let plan = planSharePlacement(request);
  // Round one rewrites every share seen and adds the plan's new ones.
  let round = new Map<string, ServerWrites>();
  for (const [id, shares] of seen) round.set(id, new Map([...shares].map(([n, bytes]) => [n, seenTest(bytes)])));
  addAllocations(round, plan.allocations);

  const written = new Map<string, Set<number>>();
  for (let attempt = 0; attempt < MAX_ROUNDS && round.size > 0 && plan.isHappy; attempt++) {
    const ids = ordered.map((s) => s.id).filter((id) => round.has(id));
    const results = new Map<string, 'written' | 'conflict' | 'failed'>();
    const send = (id: string) => writeToServer(job, byId.get(id)!, round.get(id)!).then((result) => results.set(id, result));
    if (attempt === 0) {
      await send(ids[0]!);
      if (results.get(ids[0]!) === 'conflict') throw conflict(job, results, byId);
      await Promise.all(ids.slice(1).map(send));
    } else {
      await Promise.all(ids.map(send));
    }
    if ([...results.values()].includes('conflict')) throw conflict(job, results, byId);
    const accepted = new Map<string, Set<number>>();
    const failed: string[] = [];
    for (const [id, result] of results) {
      if (result === 'written') {
        const shares = new Set(round.get(id)!.keys());
        accepted.set(id, shares);
        written.set(id, new Set([...(written.get(id) ?? []), ...shares]));
      } else {
        failed.push(id);
      }
    }
    if (failed.length === 0) break;
    // Shares of failed servers go elsewhere: the placement is re-planned without them.
    ({ request, plan } = replanSharePlacement(request, { accepted, failed }));
    round = new Map();
    addAllocations(round, plan.allocations);
  }
  const achieved = happiness(written);
  if (achieved < request.happy) {
    throw new UploadUnhappinessError(
      unhappinessMessage({ happy: request.happy, connected: ordered.length, responding: request.servers.length, writable: written.size, happiness: achieved }),
    );
  }
  return { placement: written, happiness: achieved };
}

function seenTest(bytes: Uint8Array): SlotTestVector {
  // What was seen is the share's first CHECKSTRING_SIZE bytes, or all of a shorter share.
  return { offset: 0, length: CHECKSTRING_SIZE, operator: 'eq', specimen: bytes };
}

function addAllocations(round: Map<string, ServerWrites>, allocations: ReadonlyMap<string, ReadonlySet<number>>): void {
  for (const [id, shares] of allocations) {
    const writes = round.get(id) ?? new Map<number, SlotTestVector>();
    for (const n of shares) writes.set(n, MUST_NOT_EXIST);
    round.set(id, writes);
  }
}

/** Writes one server's shares, in as few calls as the body limit allows. */
async function writeToServer(job: VersionWrite, server: GridServer, shares: ServerWrites): Promise<'written' | 'conflict' | 'failed'> {
  const secrets = slotSecretsFor(job.writekey, job.leaseSecret, job.storageIndex, server);
  const calls: Map<number, SlotShareWrite>[] = [];
  let size = Infinity;
  for (const [shareNumber, test] of shares) {
    const data = job.version.shares[shareNumber]!;
    if (size + data.length > MAX_CALL_BYTES) {
      calls.push(new Map());
      size = 0;
    }
    size += data.length;
    calls.at(-1)!.set(shareNumber, { testVectors: [test], writeVectors: [{ offset: 0, data }], newLength: data.length });
  }
  const timeout = job.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  let outcome: 'written' | 'conflict' | 'failed' = 'written';
  for (const writes of calls) {
    try {
      const call = server.api.testvAndReadvAndWritev(job.storageIndex, secrets, writes, []);
      const result = await withDeadline(Promise.resolve(call), timeout, `writing shares to ${server.nickname}`);
      if (!result.success) outcome = 'conflict';
    } catch {
      return outcome === 'conflict' ? 'conflict' : 'failed';
    }
  }
  return outcome;
}

function conflict(job: VersionWrite, results: ReadonlyMap<string, string>, byId: ReadonlyMap<string, GridServer>): MutableConflictError {
  const names = [...results].filter(([, result]) => result === 'conflict').map(([id]) => byId.get(id)?.nickname ?? id);
  return new MutableConflictError(job.version.info, names);
}
