/**
 * Light, dark, or whatever the system prefers. The choice is an attribute on <html> that styles.css reads; with no
 * attribute the CSS follows `prefers-color-scheme`. Applied by main.tsx before the first render.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'latchkey.dashboard.theme';

export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', choice);
}

export function saveTheme(choice: ThemeChoice): void {
  applyTheme(choice);
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {}
}
