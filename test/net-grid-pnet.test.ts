// The pnet grid gate (src-main/net/grid-pnet.ts) over an in-memory connection pair: large
// writes go through (libp2p's own pnet aborts on one of more than 64 MB), and it interoperates
// with libp2p's pnet, since only the size of the pieces it encrypts differs.
import { createHash, randomBytes } from 'node:crypto';
import type { MessageStream } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { multiaddrConnectionPair } from '@libp2p/utils';
import { describe, expect, it } from 'vitest';
import { PNET_MAX_WRITE_BYTES, gridPnetProtector } from '../src-main/net/grid-pnet.js';
import { gridPnetKey } from '../src-main/net/host.js';

const pnetKey = gridPnetKey(new Uint8Array(randomBytes(32)));

type Protector = () => { protect(connection: MessageStream): Promise<MessageStream> };

async function protectedPair(outbound: Protector, inbound: Protector): Promise<[MessageStream, MessageStream]> {
  const [a, b] = multiaddrConnectionPair();
  return Promise.all([outbound().protect(a), inbound().protect(b)]);
}

/** The SHA-256 of the first `length` bytes `stream` delivers, and the size of the largest message. */
function receive(stream: MessageStream, length: number): Promise<{ digest: string; largestMessage: number }> {
  const hash = createHash('sha256');
  let received = 0;
  let largestMessage = 0;
  return new Promise((resolve) => {
    stream.addEventListener('message', (event) => {
      for (const piece of event.data instanceof Uint8Array ? [event.data] : event.data) {
        hash.update(piece);
        received += piece.length;
        largestMessage = Math.max(largestMessage, piece.length);
      }
      if (received >= length) resolve({ digest: hash.digest('hex'), largestMessage });
    });
  });
}

describe('the pnet grid gate', () => {
  it('carries a single 96 MiB write intact', async () => {
    const [sender, receiver] = await protectedPair(gridPnetProtector(pnetKey), gridPnetProtector(pnetKey));
    const data = new Uint8Array(randomBytes(96 * 1024 * 1024));
    const received = receive(receiver, data.length);
    sender.send(data);
    const { digest, largestMessage } = await received;
    expect(digest).toBe(createHash('sha256').update(data).digest('hex'));
    expect(largestMessage).toBeLessThanOrEqual(PNET_MAX_WRITE_BYTES);
  }, 60_000);

  it("speaks libp2p's pnet on the wire, in both directions", async () => {
    const libp2pPnet = preSharedKey({ psk: pnetKey });
    const [ours, theirs] = await protectedPair(gridPnetProtector(pnetKey), libp2pPnet);
    const toThem = new Uint8Array(randomBytes(200_000));
    const toUs = new Uint8Array(randomBytes(200_000));
    const [theyGot, weGot] = [receive(theirs, toThem.length), receive(ours, toUs.length)];
    ours.send(toThem);
    theirs.send(toUs);
    expect((await theyGot).digest).toBe(createHash('sha256').update(toThem).digest('hex'));
    expect((await weGot).digest).toBe(createHash('sha256').update(toUs).digest('hex'));
  });
});
