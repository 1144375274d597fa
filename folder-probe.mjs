import madge from 'madge';
const res = await madge('packages/server/src', {
  fileExtensions: ['ts'], tsConfig: 'packages/server/tsconfig.json',
  excludeRegExp: [/\.test\.ts$/, /^test-support\//],
});
const obj = res.obj();
const folder = (f) => (f.includes('/') ? f.split('/')[0] + '/' : f);
const edges = new Map();
const why = new Map();
for (const [from, tos] of Object.entries(obj)) for (const to of tos) {
  const a = folder(from), b = folder(to);
  if (a === b) continue;
  if (!edges.has(a)) edges.set(a, new Set());
  edges.get(a).add(b);
  const k = a + ' -> ' + b; if (!why.has(k)) why.set(k, []); why.get(k).push(`${from} -> ${to}`);
}
// Tarjan
let index = 0; const stack = []; const idx = new Map(), low = new Map(), on = new Set(); const sccs = [];
const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
function strong(v) { idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const w of edges.get(v) ?? []) { if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w))); }
  if (low.get(v) === idx.get(v)) { const c = []; let w; do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v); if (c.length > 1) sccs.push(c); } }
for (const v of nodes) if (!idx.has(v)) strong(v);
for (const c of sccs) { console.log('CYCLE', c.join(' ')); for (const a of c) for (const b of edges.get(a) ?? []) if (c.includes(b)) console.log('   ', a, '->', b, ':', why.get(a + ' -> ' + b).slice(0, 4).join(', ')); }
