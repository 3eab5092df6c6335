const encoder = new TextEncoder();

/** Tahoe's netstring: `<decimal length>:<bytes>,`. */
export function netstring(bytes: Uint8Array | string): Uint8Array {
  const body = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  const head = encoder.encode(`${body.length}:`);
  const out = new Uint8Array(head.length + body.length + 1);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 1] = 0x2c; // ','
  return out;
}
