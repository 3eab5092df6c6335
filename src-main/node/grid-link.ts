import { base32Decode, base32Encode } from '../../src-shared/base32.js';

/**
 * The introducer link: one secret string that lets a node join a grid. It carries the
 * introducer's peer id and addresses, the grid key (membership), the grid's default
 * encoding and the key of the grid's shared root directory. The analogue of Tahoe's
 * introducer fURL. Format:
 *   cairn-grid-v1:<base32 of the UTF-8 JSON body>
 * base32 keeps it to one shell- and URL-safe word.
 */
export const GRID_LINK_PREFIX = 'cairn-grid-v1:';

export interface ShareEncoding {
  /** K: shares needed to rebuild a file */
  readonly needed: number;
  /** H: servers of happiness an upload must reach */
  readonly happy: number;
  /** N: shares made per file */
  readonly total: number;
}

export interface GridLink {
  readonly introducerPeerId: string;
  readonly introducerAddresses: readonly string[];
  /** 32 random bytes shared by every member */
  readonly gridKey: Uint8Array;
  readonly encoding: ShareEncoding;
  /**
   * The Ed25519 seed of the grid's shared root directory (the friendnet vdrive), made with
   * the grid. Every member derives the root's write cap from it, and whoever writes first
   * publishes its first version (until then it reads as empty).
   */
  readonly rootSeed: Uint8Array;
  readonly gridName?: string;
}

export class GridLinkError extends Error {
  override readonly name = 'GridLinkError';
}

interface LinkBody {
  peer: string;
  addrs: string[];
  key: string;
  shares: [number, number, number];
  root: string;
  name?: string;
}

export function checkShareEncoding(encoding: ShareEncoding): void {
  const { needed: k, happy: h, total: n } = encoding;
  const whole = [k, h, n].every((x) => Number.isInteger(x));
  if (!whole || n < 1 || n > 256 || k < 1 || k > n || h < k || h > n) {
    throw new GridLinkError(`share encoding must satisfy 1 ≤ K ≤ HAPPY ≤ N ≤ 256 (got ${k}/${h}/${n})`);
  }
}

/** Parses "K/HAPPY/N", e.g. "3/5/10". */
export function parseShareEncoding(text: string): ShareEncoding {
  const match = /^([0-9]+)\/([0-9]+)\/([0-9]+)$/.exec(text.trim());
  if (match === null) throw new GridLinkError(`"${text}" is not K/HAPPY/N (for example 3/5/10)`);
  const encoding = { needed: Number(match[1]), happy: Number(match[2]), total: Number(match[3]) };
  checkShareEncoding(encoding);
  return encoding;
}

export function formatGridLink(link: GridLink): string {
  const body: LinkBody = {
    peer: link.introducerPeerId,
    addrs: [...link.introducerAddresses],
    key: base32Encode(link.gridKey),
    shares: [link.encoding.needed, link.encoding.happy, link.encoding.total],
    root: base32Encode(link.rootSeed),
    ...(link.gridName === undefined ? {} : { name: link.gridName }),
  };
  return GRID_LINK_PREFIX + base32Encode(new TextEncoder().encode(JSON.stringify(body)));
}

/** Errors name what is wrong without echoing the secret. */
export function parseGridLink(text: string): GridLink {
  const trimmed = text.trim();
  if (!trimmed.startsWith(GRID_LINK_PREFIX)) throw new GridLinkError(`an introducer link starts with "${GRID_LINK_PREFIX}"`);
  let body: Partial<LinkBody>;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base32Decode(trimmed.slice(GRID_LINK_PREFIX.length)))) as Partial<LinkBody>;
  } catch {
    throw new GridLinkError('the introducer link is damaged (it does not decode); copy it again in full');
  }
  const addrs = body.addrs;
  if (typeof body.peer !== 'string' || body.peer.length === 0) throw new GridLinkError('the introducer link has no introducer peer id');
  if (!Array.isArray(addrs) || addrs.length === 0 || !addrs.every((a) => typeof a === 'string')) {
    throw new GridLinkError('the introducer link has no introducer addresses');
  }
  let gridKey: Uint8Array;
  try {
    gridKey = base32Decode(String(body.key));
  } catch {
    throw new GridLinkError('the introducer link has a damaged grid key');
  }
  if (gridKey.length !== 32) throw new GridLinkError(`the introducer link's grid key must be 32 bytes, got ${gridKey.length}`);
  const shares = body.shares;
  if (!Array.isArray(shares) || shares.length !== 3) throw new GridLinkError('the introducer link has no share encoding');
  const encoding = { needed: Number(shares[0]), happy: Number(shares[1]), total: Number(shares[2]) };
  checkShareEncoding(encoding);
  let rootSeed: Uint8Array;
  try {
    rootSeed = base32Decode(String(body.root));
  } catch {
    throw new GridLinkError("the introducer link has a damaged root directory key");
  }
  if (rootSeed.length !== 32) throw new GridLinkError(`the introducer link's root directory key must be 32 bytes, got ${rootSeed.length}`);
  return {
    introducerPeerId: body.peer,
    introducerAddresses: addrs,
    gridKey,
    encoding,
    rootSeed,
    ...(typeof body.name === 'string' ? { gridName: body.name } : {}),
  };
}
