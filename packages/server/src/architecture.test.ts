/**
 * The shape of the house, checked on every run (docs/architecture.md draws it):
 * - no import cycle between folders, type-only imports included (a type cycle is a design cycle too);
 * - errors/ imports nothing of ours, and storage/ imports nothing above it;
 * - only http/ and the server import Fastify: capabilities declare routes through http/routes.ts.
 * The import graph comes from madge, reading the sources as the compiler does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/** A file's room: its top folder under src/ (`links/`), or the file itself for files at the top (`server.ts`). */
export function roomOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : `${file.slice(0, slash)}/`;
}

/** The imports between rooms, each with the file-level imports that make it. */
export function roomGraph(files: Record<string, string[]>): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const [from, targets] of Object.entries(files)) {
    for (const to of targets) {
      const [a, b] = [roomOf(from), roomOf(to)];
      if (a === b) continue;
      const edges = graph.get(a) ?? new Map<string, string[]>();
      graph.set(a, edges);
      edges.set(b, [...(edges.get(b) ?? []), `${from} -> ${to}`]);
    }
  }
  return graph;
}

/** Strongly connected groups of more than one room (Tarjan): each is an import cycle between folders. */
export function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (room: string) => {
    index.set(room, next);
    low.set(room, next);
    next++;
    stack.push(room);
    onStack.add(room);
    for (const to of graph.get(room)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(room, Math.min(low.get(room)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(room, Math.min(low.get(room)!, index.get(to)!));
      }
    }
    if (low.get(room) === index.get(room)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== room);
      if (group.length > 1) found.push(group.sort());
    }
  };
  const rooms = new Set([...graph.keys(), ...[...graph.values()].flatMap((edges) => [...edges.keys()])]);
  for (const room of rooms) if (!index.has(room)) visit(room);
  return found;
}

describe('the folder graph', () => {
  let files: Record<string, string[]>;

  beforeAll(async () => {
    const result = await madge(SRC, {
      fileExtensions: ['ts'],
      tsConfig: TSCONFIG,
      // Tests and their helpers sit above everything by nature; the rule is about the product's own code.
      excludeRegExp: [/\.test\.ts$/, /^test-support\//],
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
    });
    files = result.obj();
  });

  it('reads the whole server', () => {
    expect(Object.keys(files).length).toBeGreaterThan(150);
    expect(files['server.ts']).toContain('http/auth.ts');
    expect(files['links/link-service.ts']).toContain('storage/rows.ts');
  });

  it('has no import cycle between folders', () => {
    const graph = roomGraph(files);
    const explained = cycles(graph).map((group) =>
      group.flatMap((room) =>
        [...(graph.get(room) ?? new Map<string, string[]>())]
          .filter(([to]) => group.includes(to))
          .map(([to, why]) => `${room} -> ${to} (${why[0]})`),
      ),
    );
    expect(explained).toEqual([]);
  });

  it('keeps errors/ at the ground: it imports nothing of ours from another folder', () => {
    const outward = Object.entries(files)
      .filter(([file]) => file.startsWith('errors/'))
      .flatMap(([file, targets]) =>
        targets.filter((t) => !t.startsWith('errors/')).map((t) => `${file} -> ${t}`),
      );
    expect(outward).toEqual([]);
  });

  it('keeps storage/ below the capabilities: it imports only config/ and crypto/ besides itself', () => {
    const upward = Object.entries(files)
      .filter(([file]) => file.startsWith('storage/'))
      .flatMap(([file, targets]) =>
        targets.filter((t) => !/^(storage|config|crypto)\//.test(t)).map((t) => `${file} -> ${t}`),
      );
    expect(upward).toEqual([]);
  });

  it('lets only http/ and server.ts import Fastify', () => {
    const fastify = /from\s+'(fastify|@fastify\/[^']+)'/;
    const offenders = Object.keys(files).filter(
      (file) =>
        !file.startsWith('http/') &&
        file !== 'server.ts' &&
        fastify.test(readFileSync(`${SRC}/${file}`, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a cycle between two folders and none in a chain', () => {
    const cyclic = roomGraph({ 'a/x.ts': ['b/y.ts'], 'b/y.ts': ['a/z.ts'], 'a/z.ts': [] });
    expect(cycles(cyclic)).toEqual([['a/', 'b/']]);
    const chain = roomGraph({ 'a/x.ts': ['b/y.ts'], 'b/y.ts': ['c/z.ts'], 'a/w.ts': ['c/z.ts'] });
    expect(cycles(chain)).toEqual([]);
  });

  it('ignores imports inside one folder', () => {
    expect(cycles(roomGraph({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': ['a/x.ts'] }))).toEqual([]);
  });
});
