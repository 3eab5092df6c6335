import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { LOCAL_FILE_UNUSABLE, localFileIdentity, localFileQuery } from '../web/local-files.js';
import { ApiError, callApi, fileSizeOf, type NodeEndpoint } from './api-client.js';

/**
 * PUTs a file on this machine to `at(query)`: the node reads it itself (no copy through
 * HTTP, no spool file; web/local-files.ts), unless it cannot see that file, and then
 * it gets the bytes.
 */
export async function uploadLocalFile(endpoint: NodeEndpoint, file: string, at: (query?: string) => string): Promise<IncomingMessage> {
  const size = await fileSizeOf(file); // a clear error for a missing file or a directory
  try {
    return await callApi(endpoint, 'PUT', at(localFileQuery(await localFileIdentity(resolve(file)))), { data: '' });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === LOCAL_FILE_UNUSABLE)) throw error;
    return callApi(endpoint, 'PUT', at(), { file, size });
  }
}
