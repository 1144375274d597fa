import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { ApiKeysSection } from './api-keys-section.js';
import { SessionKeysSection } from './session-keys-section.js';
import { SigningKeysSection } from './signing-keys-section.js';

/**
 * The app's API keys and signing keys, and the installation's session keys. Keys are the owner's
 * (dashboard/roles.ts): other roles see the lists, never an action the API would refuse them.
 */
export default function ApiKeysScreen() {
  const { operator } = useSignedIn();
  const owner = operator.role === 'owner';
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>API keys</ScreenTitle>
      {!owner && (
        <p className="empty-state">
          Keys are an owner’s to make, rename, rotate and revoke. Your role ({operator.role}) may see them;
          ask an owner of this dashboard for a new key.
        </p>
      )}
      <ApiKeysSection owner={owner} />
      <SigningKeysSection owner={owner} />
      <SessionKeysSection owner={owner} />
    </section>
  );
}
