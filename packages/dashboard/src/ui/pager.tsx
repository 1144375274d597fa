import { useCallback, useState } from 'react';

/** A page of a list, as every list of the API answers it (docs/api.md: `data` and `next_cursor`). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Where the operator is in a cursor-paginated list: the cursor of the page shown, and the ones before it so
 * "Previous" can go back. `reset` starts over (when a filter changes).
 */
export function useCursor() {
  const [trail, setTrail] = useState<string[]>([]);
  const cursor = trail[trail.length - 1];
  const next = useCallback((nextCursor: string) => setTrail((t) => [...t, nextCursor]), []);
  const previous = useCallback(() => setTrail((t) => t.slice(0, -1)), []);
  const reset = useCallback(() => setTrail([]), []);
  return { cursor, page: trail.length + 1, next, previous, reset };
}

interface PagerProps {
  /** Which list this pages through, for screen readers ("Links pages"). */
  label: string;
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}

/** Previous and Next under a list; nothing at all when the list fits on one page. */
export function Pager({ label, page, nextCursor, onNext, onPrevious }: PagerProps) {
  if (page === 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={page === 1}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Next
      </button>
    </nav>
  );
}
