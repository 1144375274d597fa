import { useState } from 'react';
import type { CodeSent } from '../api.js';
import { ThemeSelect } from '../shell/theme-select.js';
import { CodeForm } from './code-form.js';
import { EmailForm } from './email-form.js';

/**
 * Sign-in for operators: an address, then the code from the message sent to it. The same message has a link;
 * clicking it finishes sign-in on the server, which then opens /dashboard/ in that browser.
 */
export function SignInScreen() {
  const [sent, setSent] = useState<{ email: string; answer: CodeSent } | null>(null);
  return (
    <div className="sign-in">
      <main className="sign-in-card" aria-labelledby="sign-in-title">
        <p className="brand">Latchkey</p>
        <h1 id="sign-in-title">{sent ? 'Check your email' : 'Sign in to the dashboard'}</h1>
        {sent ? (
          <CodeForm email={sent.email} sent={sent.answer} onStartOver={() => setSent(null)} />
        ) : (
          <EmailForm onSent={(email, answer) => setSent({ email, answer })} />
        )}
      </main>
      <footer className="sign-in-footer">
        <ThemeSelect />
      </footer>
    </div>
  );
}
