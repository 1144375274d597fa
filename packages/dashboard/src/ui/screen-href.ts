/**
 * The address of another screen's page, from inside a screen. Screens are mounted with wouter's `nest`, so their own
 * links are relative to them; `~` leaves the nest, and with it the router's `/dashboard` base too, which is put back
 * here from the build's base.
 */
export function screenHref(path: string): string {
  return `~${import.meta.env.BASE_URL.replace(/\/$/, '')}${path}`;
}
