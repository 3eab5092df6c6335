// Protocols and limits shared by the test peer process and the tests.
import type { RequestLimits } from '../../src-main/net/request.js';

export const TestProtocol = {
  echo: '/cairn/test-echo/1.0.0',
  sink: '/cairn/test-sink/1.0.0',
  source: '/cairn/test-source/1.0.0',
  fail: '/cairn/test-fail/1.0.0',
  slow: '/cairn/test-slow/1.0.0',
  slowSink: '/cairn/test-slow-sink/1.0.0',
} as const;

export const TEST_LIMITS: RequestLimits = {
  maxHeadBytes: 16 * 1024,
  maxChunkBytes: 256 * 1024,
  maxBodyBytes: 8 * 1024 * 1024,
  timeoutMs: 30_000,
};

/** For bulk transfers (throughput): 1 MiB chunks, large bodies, long deadline. */
export const BULK_LIMITS: RequestLimits = {
  maxHeadBytes: 16 * 1024,
  maxChunkBytes: 1024 * 1024,
  maxBodyBytes: 1024 * 1024 * 1024,
  timeoutMs: 300_000,
};
