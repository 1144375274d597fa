import { InlineCode } from '../inline-code.js';
import type { ScreenEntry } from '../screens.js';
import { ScreenTitle } from './screen-title.js';

/** A screen that is not built yet says so plainly, and what to use until it is. */
export function PlaceholderScreen({ screen }: { screen: ScreenEntry }) {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>{screen.name}</ScreenTitle>
      <div className="empty-state">
        <p>
          <strong>This screen is not built yet.</strong>
        </p>
        <p>Planned: {screen.purpose}</p>
        {screen.meanwhile && (
          <p>
            Until then: <InlineCode text={screen.meanwhile} />
          </p>
        )}
      </div>
    </section>
  );
}
