import { Link, useRoute } from 'wouter';
import { SCREENS, type ScreenEntry } from '../screens.js';
import { ThemeSelect } from './theme-select.js';

/** The screens, as a list of links; on narrow screens the header's menu button shows and hides it. */
export function Navigation({ open, onNavigate }: { open: boolean; onNavigate: () => void }) {
  return (
    <nav id="navigation" aria-label="Screens" className={open ? 'navigation open' : 'navigation'}>
      <ul>
        {SCREENS.map((screen) => (
          <NavItem key={screen.path} screen={screen} onNavigate={onNavigate} />
        ))}
      </ul>
      <ThemeSelect />
    </nav>
  );
}

function NavItem({ screen, onNavigate }: { screen: ScreenEntry; onNavigate: () => void }) {
  // A screen's own pages (`/links/ml_…`) are still that screen; the Overview is only itself.
  const [exact] = useRoute(screen.path);
  const [below] = useRoute(`${screen.path}/*`);
  const active = exact || (screen.path !== '/' && below);
  return (
    <li>
      <Link href={screen.path} aria-current={active ? 'page' : undefined} onClick={onNavigate}>
        {screen.name}
      </Link>
    </li>
  );
}
