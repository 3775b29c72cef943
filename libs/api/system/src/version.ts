import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The product version: the root package.json's, which releases bump. */
export const API_VERSION: string = (require('../../../../package.json') as { version: string }).version;
export const STARTED_AT = new Date().toISOString();
