import { EmbeddedPostgres } from '/work/main/libs/dev/embedded-postgres/dist/index.js';
const s = await EmbeddedPostgres.start({ dir: '/tmp/pgtry' });
console.log(s.url());
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1000);
