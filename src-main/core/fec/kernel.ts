import { setFlagsFromString } from 'node:v8';
import { GF_MUL } from './gf256.js';
import {
  kernelWasmBase64, relaxedKernelWasmBase64, relaxedSharedKernelWasmBase64, sharedKernelWasmBase64,
} from './kernel-wasm.js';

/** The parts of the WebAssembly JS API used here (the tsconfig has no DOM lib to describe it). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  mulRows(
    coef: number, k: number, input: number, inStride: number,
    output: number, outStride: number, m: number, len: number, strip: number,
  ): void;
}

const PAGE = 65536;
/** The module's declared limits (kernel.wat; a shared memory must have a maximum). */
const INITIAL_PAGES = 2;
const MAXIMUM_PAGES = 65536;
const TABLES_BYTES = 256 * 32;
/** Room for the largest coefficient matrix: (n−k)·k < 256·256. */
const COEFS_AT = TABLES_BYTES;
const COEFS_BYTES = 256 * 256;

const roundUp64 = (x: number): number => Math.ceil(x / 64) * 64;

const fromBase64 = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

/** One compiled module and this thread's instance of it, per kind of memory. */
interface KernelKind {
  readonly shared: boolean;
  readonly base64: string;
  readonly relaxedBase64: string;
  module?: object;
  threadKernel?: Kernel;
}
const ownMemory: KernelKind = { shared: false, base64: kernelWasmBase64, relaxedBase64: relaxedKernelWasmBase64 };
const sharedMemory: KernelKind = { shared: true, base64: sharedKernelWasmBase64, relaxedBase64: relaxedSharedKernelWasmBase64 };

let relaxedSimd: boolean | undefined;

/**
 * Whether this engine runs relaxed SIMD, which makes the kernel's lookups one instruction
 * shorter. V8 ships it from 11.4 (Node 22, Electron ≥ 25); Node 20's V8 11.3 has it complete
 * behind a flag, which is turned on here (the flag only lets modules use the instructions).
 */
export function hasRelaxedSimd(): boolean {
  if (relaxedSimd === undefined) {
    const probe = fromBase64(relaxedKernelWasmBase64);
    relaxedSimd = wasmApi.validate(probe);
    if (!relaxedSimd) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedSimd = wasmApi.validate(probe);
    }
  }
  return relaxedSimd;
}

/** A new kernel of the given build, over a memory of its own making. */
export function createKernel(build: { shared: boolean; relaxed: boolean }): Kernel {
  const kind = build.shared ? sharedMemory : ownMemory;
  const module = new wasmApi.Module(fromBase64(build.relaxed ? kind.relaxedBase64 : kind.base64));
  return instantiate(module, build.shared);
}

function instantiate(module: object, shared: boolean): Kernel {
  const memory = new wasmApi.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared });
  const instance = new wasmApi.Instance(module, { env: { memory } });
  return new Kernel(instance.exports as KernelExports, memory);
}

function kernelOf(kind: KernelKind): Kernel {
  if (!kind.threadKernel) {
    if (kind.module === undefined && hasRelaxedSimd()) {
      // relaxed_swizzle is specified to match swizzle only for indices below 16; check that the
      // engine gives the bytes this kernel needs before trusting it with data.
      const module = new wasmApi.Module(fromBase64(kind.relaxedBase64));
      const kernel = instantiate(module, kind.shared);
      if (kernel.multipliesCorrectly()) {
        kind.module = module;
        kind.threadKernel = kernel;
        return kernel;
      }
    }
    kind.module ??= new wasmApi.Module(fromBase64(kind.base64));
    kind.threadKernel = instantiate(kind.module, kind.shared);
  }
  return kind.threadKernel;
}

/**
 * The WASM kernel for this thread: module state is per thread, so each worker thread compiles
 * and instantiates its own. Calls are synchronous and keep no state between them, so every
 * coder in the thread can share the one instance.
 */
export function getKernel(): Kernel {
  return kernelOf(ownMemory);
}

/**
 * This thread's kernel over a shared memory, for work whose output another thread reads in
 * place (a worker's segment lanes). Not for copying in and out: V8 copies to and from shared
 * memory byte by byte when the two sides are not equally aligned.
 */
export function getSharedKernel(): Kernel {
  return kernelOf(sharedMemory);
}

export class Kernel {
  private bytes: Uint8Array;
  /** Where the scratch space of mulRows starts: after the regions lent out. */
  private scratchAt = roundUp64(COEFS_AT + COEFS_BYTES);

  constructor(
    private readonly wasm: KernelExports,
    private readonly memory: WasmMemory,
  ) {
    this.bytes = new Uint8Array(memory.buffer);
    // Split-nibble tables: c·(0..15) and c·(0..15 << 4) for every coefficient c.
    for (let c = 0; c < 256; c++) {
      for (let x = 0; x < 16; x++) {
        this.bytes[c * 32 + x] = GF_MUL[c * 256 + x]!;
        this.bytes[c * 32 + 16 + x] = GF_MUL[c * 256 + (x << 4)]!;
      }
    }
  }

  /**
   * Sets aside `size` bytes of linear memory for the caller for good (a worker's segment
   * lanes) and returns their offset. In the shared kernel (getSharedKernel), `buffer` can be
   * sent to another thread, which then sees the bytes without a copy.
   */
  lend(size: number): { readonly offset: number; readonly buffer: ArrayBufferLike } {
    const offset = this.scratchAt;
    this.scratchAt = roundUp64(offset + size);
    return { offset, buffer: this.reserve(this.scratchAt).buffer };
  }

  /**
   * A known answer: two rows (the paired path) and a third (the single path), each multiplying
   * the bytes 0..255 by its coefficient, checked byte by byte against the multiplication table.
   */
  multipliesCorrectly(): boolean {
    const input = Uint8Array.from({ length: 256 }, (_, x) => x);
    const coefs = Uint8Array.of(0x8e, 0x03, 0xff);
    const rows = this.mulRows(coefs, 1, [input], input.length);
    return rows.every((row, j) => row.every((product, x) => product === GF_MUL[coefs[j]! * 256 + x]));
  }

  /** A view of the whole linear memory (it may grow: take a new view after any call). */
  view(): Uint8Array {
    return this.reserve(0);
  }

  /**
   * mulRows on blocks already in linear memory (a lent region): output row j = XOR over i of
   * coefs[j·k + i] · (the input block at inAt + i·inStride), written at outAt + j·outStride.
   * outStride must be a multiple of 64 of at least len, and 63 bytes past the last input
   * block must be readable.
   */
  mulRowsAt(coefs: Uint8Array, k: number, inAt: number, inStride: number, outAt: number, outStride: number, len: number): void {
    const m = coefs.length / k;
    if (outStride % 64 !== 0 || outStride < len) throw new RangeError(`output stride ${outStride} must be a multiple of 64 of at least ${len}`);
    if (m === 0 || len === 0) return;
    this.reserve(Math.max(inAt + k * inStride + 64, outAt + m * outStride)).set(coefs, COEFS_AT);
    this.wasm.mulRows(COEFS_AT, k, inAt, inStride, outAt, outStride, m, len, stripBytes(k));
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
    const inAt = this.scratchAt;
    const outAt = roundUp64(inAt + k * inStride + 64); // 64 bytes of slack: reads overrun by < 64
    const mem = this.reserve(outAt + m * outStride);

    mem.set(coefs, COEFS_AT);
    if (contiguous) {
      mem.set(inputs, inAt);
    } else {
      for (let i = 0; i < k; i++) mem.set(inputs[i]!, inAt + i * inStride);
    }
    this.wasm.mulRows(COEFS_AT, k, inAt, inStride, outAt, outStride, m, len, stripBytes(k));
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
    const have = this.memory.buffer.byteLength;
    if (size > have) this.memory.grow(Math.ceil((size - have) / PAGE));
    // A shared memory's buffer object changes only when it grows.
    if (this.bytes.byteLength !== this.memory.buffer.byteLength) this.bytes = new Uint8Array(this.memory.buffer);
    return this.bytes;
  }
}

/** Strip width for mulRows: keep one strip of all k inputs around 16 KiB (in L1). */
function stripBytes(k: number): number {
  return Math.max(64, Math.floor(16384 / k / 64) * 64);
}
