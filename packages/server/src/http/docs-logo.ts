/**
 * Latchkey's mark and name for the top bar of the API reference at /docs (Swagger UI's own bar is dark, so the name
 * is white), and the mark alone as its favicon. The mark is the dashboard's favicon (packages/dashboard/src).
 */
const MARK =
  '<rect width="32" height="32" rx="7" fill="#1d5fd1"/><circle cx="12" cy="16" r="6" fill="none" stroke="#fff" stroke-width="3"/><path d="M18 16h10M24 16v5M28 16v4" stroke="#fff" stroke-width="3" stroke-linecap="round"/>';

export const DOCS_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="168" height="40" viewBox="0 0 168 40"><title>Latchkey API reference</title><g transform="translate(0 4)">${MARK}</g><text x="42" y="28" fill="#fff" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="22" font-weight="600">Latchkey</text></svg>`;

export const DOCS_FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${MARK}</svg>`;
