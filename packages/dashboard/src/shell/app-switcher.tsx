import { useId } from 'react';
import { useCurrentApp } from '../current-app.js';

/** Which app every screen shows. */
export function AppSwitcher() {
  const id = useId();
  const { app, apps, choose } = useCurrentApp();
  if (!app) return <p className="app-switcher">No app</p>;
  return (
    <div className="app-switcher">
      <label htmlFor={id}>App</label>
      <select id={id} value={app.id} onChange={(event) => choose(event.target.value)}>
        {apps.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </div>
  );
}
