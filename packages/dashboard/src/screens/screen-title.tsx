import { useEffect } from 'react';

/** The screen's heading, also put in the tab's title so history and tabs say where each page is. */
export function ScreenTitle({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} · Latchkey`;
  }, [children]);
  return <h1 id="screen-title">{children}</h1>;
}
