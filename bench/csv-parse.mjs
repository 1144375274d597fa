#!/usr/bin/env node
// How long the bulk API's CSV reader takes for a large file: N rows of `email,redirect_url,ttl,language` (default
// 100,000), parsed by the built server's parseCsv, five rounds after one warm-up. The figure in docs/benchmarks.md
// compares it with the reader it replaced; run this on that commit's build to see the other side.
// Usage: npm run build && node bench/csv-parse.mjs [-- --rows N]
import { parseCsv } from '../packages/server/dist/links/bulk/csv.js';

const args = process.argv.slice(2);
const at = args.indexOf('--rows');
const rows = at === -1 ? 100_000 : Number(args[at + 1]);

let text = 'email,redirect_url,ttl,language\n';
for (let i = 0; i < rows; i++)
  text += `user${i}@example.com,https://app.example.com/auth/callback?x=${i},15,en\n`;

parseCsv(text);
const times = [];
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  const parsed = parseCsv(text);
  times.push(performance.now() - started);
  if (parsed.length !== rows + 1) throw new Error(`read ${parsed.length} records, expected ${rows + 1}`);
}
times.sort((a, b) => a - b);
console.log(
  `${rows.toLocaleString('en')} rows (${(text.length / 1e6).toFixed(1)} MB): median ${Math.round(times[2])} ms, min ${Math.round(times[0])} ms, max ${Math.round(times[4])} ms`,
);
