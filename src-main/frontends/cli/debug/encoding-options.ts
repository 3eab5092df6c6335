import { base32Decode } from '../../../../src-shared/base32.js';
import { DEFAULT_ENCODING_PARAMETERS, MAX_TOTAL_SHARES, type EncodingParameters } from '../../../core/immutable/params.js';
import { UsageError, parseInteger } from '../usage.js';

export const encodingOptionSpec = {
  'convergence-hex': { type: 'string' },
  'convergence-b32': { type: 'string' },
  k: { type: 'string', short: 'k' },
  n: { type: 'string', short: 'n' },
  'max-segment-size': { type: 'string' },
} as const;

export const encodingOptionsUsage = `  --convergence-hex HEX       convergence secret, hex (identical files give identical caps)
  --convergence-b32 B32       convergence secret, Tahoe base32
                              (with neither, the key is random: the cap differs every run)
  -k K                        shares needed to rebuild (default ${DEFAULT_ENCODING_PARAMETERS.neededShares})
  -n N                        shares produced, K ≤ N ≤ 256 (default ${DEFAULT_ENCODING_PARAMETERS.totalShares})
  --max-segment-size BYTES    largest segment (default ${DEFAULT_ENCODING_PARAMETERS.maxSegmentSize}; Tahoe < 1.19 used 131072)`;

interface EncodingOptionValues {
  'convergence-hex'?: string;
  'convergence-b32'?: string;
  k?: string;
  n?: string;
  'max-segment-size'?: string;
}

export function encodingParametersFrom(values: EncodingOptionValues): EncodingParameters {
  const totalShares = parseInteger(values.n, '-n (total shares)', 1, MAX_TOTAL_SHARES) ?? DEFAULT_ENCODING_PARAMETERS.totalShares;
  const neededShares = parseInteger(values.k, '-k (needed shares)', 1, MAX_TOTAL_SHARES) ?? DEFAULT_ENCODING_PARAMETERS.neededShares;
  if (neededShares > totalShares) throw new UsageError(`-k ${neededShares} is greater than -n ${totalShares}: K must not exceed N`);
  const maxSegmentSize =
    parseInteger(values['max-segment-size'], '--max-segment-size', 1, 2 ** 40) ?? DEFAULT_ENCODING_PARAMETERS.maxSegmentSize;
  return { neededShares, totalShares, maxSegmentSize };
}

export function convergenceSecretFrom(values: EncodingOptionValues): Uint8Array | undefined {
  const hex = values['convergence-hex'];
  const b32 = values['convergence-b32'];
  if (hex !== undefined && b32 !== undefined) throw new UsageError('give --convergence-hex or --convergence-b32, not both');
  if (hex !== undefined) {
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError('--convergence-hex must be an even number of hex digits');
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  if (b32 !== undefined) {
    try {
      return base32Decode(b32);
    } catch (error) {
      throw new UsageError(`--convergence-b32: ${(error as Error).message}`);
    }
  }
  return undefined;
}
