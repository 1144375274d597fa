import { Link, Route, Switch, useRoute } from 'wouter';
import { ScreenTitle } from '../screens/screen-title.js';
import { AuditLog } from './audit-log.js';
import { OperatorList } from './operator-list.js';

/**
 * Who may use the dashboard, and the audit log of what they changed. Operators belong to the installation, not to
 * an app, so this screen is the same whichever app the header shows. Every role may read both; only owners change
 * operators (the server's roles.ts decides, and says so if anyone else tries).
 */
export default function OperatorsScreen() {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Operators</ScreenTitle>
      <nav className="tabs" aria-label="Operators pages">
        <Tab href="/">People</Tab>
        <Tab href="/audit">Audit log</Tab>
      </nav>
      <Switch>
        <Route path="/">
          <OperatorList />
        </Route>
        <Route path="/audit">
          <AuditLog />
        </Route>
      </Switch>
    </section>
  );
}

function Tab({ href, children }: { href: string; children: string }) {
  const [active] = useRoute(href);
  return (
    <Link href={href} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}
