import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, renderOpenApiDocument } from '../openapi-document.js';

await writeFile(OPENAPI_FILE, renderOpenApiDocument());
process.stdout.write(`Wrote ${fileURLToPath(OPENAPI_FILE)}\n`);
