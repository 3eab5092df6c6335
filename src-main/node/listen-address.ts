import { networkInterfaces } from 'node:os';
import { findFreePort } from './free-port.js';

const TCP_ADDRESS = /^\/(ip4|ip6)\/([^/]+)\/tcp\/([0-9]+)$/;

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

/** Checks a listen multiaddr of the form /ip4/HOST/tcp/PORT or /ip6/HOST/tcp/PORT. */
export function parseListenAddress(text: string): { family: 'ip4' | 'ip6'; host: string; port: number } {
  const match = TCP_ADDRESS.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new ListenAddressError(`"${text}" is not a TCP listen address like /ip4/127.0.0.1/tcp/4001 (port 0 picks a free one)`);
  }
  return { family: match[1] as 'ip4' | 'ip6', host: match[2]!, port };
}

/** Replaces port 0 with a port free now, so the address (and any link naming it) stays the same across restarts. */
export async function pinListenAddress(text: string): Promise<string> {
  const { family, host, port } = parseListenAddress(text);
  if (port !== 0) return `/${family}/${host}/tcp/${port}`;
  return `/${family}/${host}/tcp/${await findFreePort(host)}`;
}

/**
 * The addresses others can dial for a listen address: a wildcard host (0.0.0.0, ::) stands
 * for every interface address of that family.
 */
export function dialableAddresses(listen: string): string[] {
  const { family, host, port } = parseListenAddress(listen);
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) return [`/${family}/${host}/tcp/${port}`];
  const wanted = family === 'ip4' ? 'IPv4' : 'IPv6';
  const hosts = Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && info.family === wanted && !info.address.startsWith('fe80'))
    .map((info) => info!.address);
  return hosts.map((h) => `/${family}/${h}/tcp/${port}`);
}
