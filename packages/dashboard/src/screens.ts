/**
 * The screens of the navigation, in its order. `meanwhile` says how to do the screen's work until it is built:
 * the API route (and CLI command) that already does it.
 */
export interface ScreenEntry {
  name: string;
  path: string;
  purpose: string;
  meanwhile?: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { name: 'Overview', path: '/', purpose: 'Links created, sent, delivered and redeemed, and the funnel.' },
  {
    name: 'Links',
    path: '/links',
    purpose: 'Create or send a link to one person, and follow each link from sent to redeemed.',
    meanwhile: '`POST /v1/magic-links` and `GET /v1/magic-links`, or `latchkey links create`.',
  },
  {
    name: 'Campaigns',
    path: '/campaigns',
    purpose: 'Links in bulk from a CSV file, with a dry run, progress and conversion per campaign.',
    meanwhile: '`POST /v1/magic-links/bulk`, or `latchkey links bulk`.',
  },
  {
    name: 'Users',
    path: '/users',
    purpose: 'Find a user, see their links and sessions, and act on them.',
    meanwhile: '`GET /v1/users`, or `latchkey users`.',
  },
  {
    name: 'Templates',
    path: '/templates',
    purpose: 'Edit the messages per link type, with a live preview in every language.',
    meanwhile: '`GET` and `PUT /v1/templates/{type}/{language}`, and `POST /v1/templates/preview`.',
  },
  {
    name: 'Delivery',
    path: '/delivery',
    purpose: 'Every message and its attempts, retries, and a test of the mail connection.',
    meanwhile: '`latchkey doctor` checks the mail connection.',
  },
  {
    name: 'Webhooks',
    path: '/webhooks',
    purpose: 'Endpoints, their delivery attempts, redelivery and test events.',
    meanwhile: '`/v1/webhook-endpoints`, or `latchkey webhooks`.',
  },
  {
    name: 'Events',
    path: '/events',
    purpose: 'Search the event log and follow it live.',
    meanwhile: '`GET /v1/events`, or `latchkey events`.',
  },
  {
    name: 'Settings',
    path: '/settings',
    purpose: "The app's redirects, expiry, sessions, sender and languages, with a redirect tester.",
    meanwhile: '`GET` and `PATCH /v1/apps/{app_id}`, or `latchkey apps`.',
  },
  {
    name: 'API keys',
    path: '/api-keys',
    purpose: "Create, label and revoke the app's API keys and signing keys.",
    meanwhile: '`/v1/api-keys` and `/v1/signing-keys`, or `latchkey keys` and `latchkey signing-keys`.',
  },
  {
    name: 'Operators',
    path: '/operators',
    purpose: 'Who may use this dashboard, with which role, and the audit log of what they changed.',
  },
];
