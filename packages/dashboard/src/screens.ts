/** The screens of the navigation, in its order; each lives in `src/{path}/{path}-screen.tsx` (screen-routes.tsx). */
export interface ScreenEntry {
  name: string;
  path: string;
  purpose: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { name: 'Overview', path: '/', purpose: 'Links created, sent, delivered and redeemed, and the funnel.' },
  {
    name: 'Links',
    path: '/links',
    purpose: 'Create or send a link to one person, and follow each link from sent to redeemed.',
  },
  {
    name: 'Campaigns',
    path: '/campaigns',
    purpose: 'Links in bulk from a CSV file, with a dry run, progress and conversion per campaign.',
  },
  {
    name: 'Users',
    path: '/users',
    purpose: 'Find a user, see their links and sessions, and act on them.',
  },
  {
    name: 'Templates',
    path: '/templates',
    purpose: 'Edit the messages per link type, with a live preview in every language.',
  },
  {
    name: 'Delivery',
    path: '/delivery',
    purpose: 'Every message and its attempts, retries, and a test of the mail connection.',
  },
  {
    name: 'Webhooks',
    path: '/webhooks',
    purpose: 'Endpoints, their delivery attempts, redelivery and test events.',
  },
  {
    name: 'Events',
    path: '/events',
    purpose: 'Search the event log and follow it live.',
  },
  {
    name: 'Settings',
    path: '/settings',
    purpose: "The app's redirects, expiry, sessions, sender and languages, with a redirect tester.",
  },
  {
    name: 'API keys',
    path: '/api-keys',
    purpose: "Create, label and revoke the app's API keys and signing keys.",
  },
  {
    name: 'Operators',
    path: '/operators',
    purpose: 'Who may use this dashboard, with which role, and the audit log of what they changed.',
  },
];
