/**
 * The audit log's before → after, as the fields that changed. An audit record keeps each side whole (the resource
 * as its GET answered before the change, and the change's answer), so most of each side is the same: only what
 * differs is worth a person's attention. Nested objects are compared field by field (`redirects.allowed`); a list
 * is one value, since "the list became this" reads better than a diff of its positions.
 */

export interface FieldChange {
  field: string;
  /** As text; `—` where the side has no such field (a creation's before, a deletion's after). */
  before: string;
  after: string;
}

const ABSENT = '—';

export function changedFields(before: unknown, after: unknown): FieldChange[] {
  const old = flatten(before);
  const now = flatten(after);
  const fields = [...new Set([...old.keys(), ...now.keys()])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const a = old.get(field);
    const b = now.get(field);
    if (a === b) continue;
    changes.push({ field, before: a ?? ABSENT, after: b ?? ABSENT });
  }
  return changes;
}

/** Every leaf of a JSON value as `path → text`; a side that is not an object is one field named `value`. */
function flatten(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value === null || value === undefined) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.set('value', text(value));
    return out;
  }
  walk(value as Record<string, unknown>, '', out, 0);
  return out;
}

function walk(
  object: Record<string, unknown>,
  prefix: string,
  out: Map<string, string>,
  depth: number,
): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 8) {
      const inner = value as Record<string, unknown>;
      if (Object.keys(inner).length === 0) out.set(path, '{}');
      else walk(inner, path, out, depth + 1);
    } else {
      out.set(path, text(value));
    }
  }
}

function text(value: unknown): string {
  if (value === null) return 'none';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // A list of records (a whole list read as the "before" of a change) says how long it is, not what it holds.
    if (value.some((item) => item !== null && typeof item === 'object'))
      return `${value.length} ${value.length === 1 ? 'item' : 'items'}`;
    return value.map((item) => text(item)).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
