import { Link } from 'wouter';
import { ScreenTitle } from './screen-title.js';

export function NotFoundScreen() {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Page not found</ScreenTitle>
      <p>
        The dashboard has no page at this address. Go to the <Link href="/">Overview</Link>, or pick a screen
        from the navigation.
      </p>
    </section>
  );
}
