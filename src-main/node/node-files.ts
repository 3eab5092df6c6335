// Names of the files in a node directory, for code that must not load the node's key
// handling (the CLI's client commands only need the web port and the API token).
import { join } from 'node:path';

export const CONFIG_FILE = 'cairn.json';
export const API_TOKEN_FILE = 'api_auth_token';

export const privateDir = (dir: string): string => join(dir, 'private');
