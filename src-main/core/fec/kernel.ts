import { GF_MUL } from './gf256.js';
import { kernelWasmBase64 } from './kernel-wasm.js';

/** The parts of the WebAssembly JS API used here (the tsconfig has no DOM lib to describe it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  mulRows(
    coef: number, k: number, input: number, inStride: number,
    output: number, outStride: number, m: number, len: number, strip: number,
  ): void;
}

const TABLES_BYTES = 256 * 32;
const PAGE = 65536;

const roundUp64 = (x: number): number => Math.ceil(x / 64) * 64;

let wasmModule: object | undefined;
let threadKernel: Kernel | undefined;

/**
 * The WASM kernel for this thread: module state is per thread, so each worker thread compiles
 * and instantiates its own. Calls are synchronous and keep no state between them, so every
 * coder in the thread can share the one instance.
 */
export function getKernel(): Kernel {
  if (!threadKernel) {
    wasmModule ??= new wasmApi.Module(Uint8Array.from(atob(kernelWasmBase64), (ch) => ch.charCodeAt(0)));
    threadKernel = new Kernel(new wasmApi.Instance(wasmModule).exports as KernelExports);
  }
  return threadKernel;
}

export class Kernel {
  private bytes: Uint8Array;

  constructor(private readonly wasm: KernelExports) {
    this.bytes = new Uint8Array(wasm.memory.buffer);
    // Split-nibble tables: c·(0..15) and c·(0..15 << 4) for every coefficient c.
    for (let c = 0; c < 256; c++) {
      for (let x = 0; x < 16; x++) {
        this.bytes[c * 32 + x] = GF_MUL[c * 256 + x]!;
        this.bytes[c * 32 + 16 + x] = GF_MUL[c * 256 + (x << 4)]!;
      }
    }
  }

  /**
   * m = coefs.length / k outputs of `len` bytes each: output j = XOR over i of
   * coefs[j*k + i] · input i. `inputs` is either k separate blocks or one buffer holding the
   * k blocks back to back. Outputs are freshly allocated, or, given `into` (m·len bytes),
   * written there back to back and returned as views of it (so a caller can reuse buffers).
   */
  mulRows(coefs: Uint8Array, k: number, inputs: Uint8Array | readonly Uint8Array[], len: number, into?: Uint8Array): Uint8Array[] {
    const m = coefs.length / k;
    if (into !== undefined && into.length !== m * len) throw new RangeError(`output buffer has ${into.length} bytes, expected ${m * len}`);
    const view = (j: number) => (into === undefined ? new Uint8Array(len) : into.subarray(j * len, (j + 1) * len));
    if (m === 0 || len === 0) return Array.from({ length: m }, (_, j) => view(j));
    const contiguous = inputs instanceof Uint8Array;
    const inStride = contiguous ? len : roundUp64(len);
    const outStride = roundUp64(len);
    const coefAt = TABLES_BYTES;
    const inAt = roundUp64(coefAt + coefs.length);
    const outAt = roundUp64(inAt + k * inStride + 64); // 64 bytes of slack: reads overrun by < 64
    const mem = this.reserve(outAt + m * outStride);

    mem.set(coefs, coefAt);
    if (contiguous) {
      mem.set(inputs, inAt);
    } else {
      for (let i = 0; i < k; i++) mem.set(inputs[i]!, inAt + i * inStride);
    }
    this.wasm.mulRows(coefAt, k, inAt, inStride, outAt, outStride, m, len, stripBytes(k));
    const outputs: Uint8Array[] = [];
    for (let j = 0; j < m; j++) {
      const result = mem.subarray(outAt + j * outStride, outAt + j * outStride + len);
      if (into === undefined) {
        outputs.push(result.slice());
      } else {
        into.set(result, j * len);
        outputs.push(into.subarray(j * len, (j + 1) * len));
      }
    }
    return outputs;
  }

  /** A view of linear memory at least `size` bytes long, growing it if needed. */
  private reserve(size: number): Uint8Array {
    const have = this.wasm.memory.buffer.byteLength;
    if (size > have) {
      this.wasm.memory.grow(Math.ceil((size - have) / PAGE));
    }
    if (this.bytes.buffer !== this.wasm.memory.buffer) this.bytes = new Uint8Array(this.wasm.memory.buffer);
    return this.bytes;
  }
}

/** Strip width for mulRows: keep one strip of all k inputs around 16 KiB (in L1). */
function stripBytes(k: number): number {
  return Math.max(64, Math.floor(16384 / k / 64) * 64);
}
