import type { ReactNode } from 'react';

/**
 * The frame a table scrolls in when it is wider than the screen (at 390 px), never the page. The frame takes the
 * focus so that keyboard users can scroll it too (axe: scrollable-region-focusable).
 */
export function ScrollingTable({ children }: { children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling frame must be reachable from the keyboard
    <div className="table-wrap" tabIndex={0}>
      {children}
    </div>
  );
}
